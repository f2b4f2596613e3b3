#!/usr/bin/env bash
# deploy/test.sh [MAVEN ARGS...]: run every test of the suite on this machine, as README.md shows.
# Installs what is missing with apt-get (JDK 17, Maven, PostgreSQL, RabbitMQ, and the C compiler,
# libdeflate and libcrypto that the suite's JNI library and its tests need; needs root), starts
# PostgreSQL (127.0.0.1:5432, user postgres, trust on loopback) and RabbitMQ (127.0.0.1:5672,
# guest/guest) when they are down, then runs `mvn -B verify` with the given extra arguments.
# A server that already runs is used as it is: never restarted, never reconfigured.
set -euo pipefail
cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.."

as_root() {
  if [ "$(id -u)" -ne 0 ]; then
    echo "deploy/test.sh: $* needs root (or install it yourself)" >&2
    exit 1
  fi
}

need_apt=()
java_major=$(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p' || true)
# a JDK (javac), not only a runtime
if ! [ "${java_major:-0}" -ge 17 ] 2>/dev/null || ! command -v javac >/dev/null; then
  need_apt+=(openjdk-17-jdk-headless)
fi
command -v mvn >/dev/null || need_apt+=(maven)
# common-protocol's build compiles the suite's JNI library (src/main/c), which loads libdeflate
# (CVMFS_SUITE_DEFLATE_LIBRARY=libdeflate) and libcrypto (SHA-1)
command -v cc >/dev/null || need_apt+=(gcc)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libdeflate\.so\.0' || need_apt+=(libdeflate0)
/sbin/ldconfig -p 2>/dev/null | grep -q 'libcrypto\.so\.3' || need_apt+=(libssl3)
installed_postgres=false
if ! command -v pg_ctlcluster >/dev/null; then
  need_apt+=(postgresql)
  installed_postgres=true
fi
command -v rabbitmq-server >/dev/null || need_apt+=(rabbitmq-server)
if [ ${#need_apt[@]} -gt 0 ]; then
  as_root "installing ${need_apt[*]}"
  echo "== installing: ${need_apt[*]}"
  apt-get update -q
  # no service starts during the installation (there may be no init system); started below
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' > "$policy" && chmod 755 "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need_apt[@]}"
  rm -f "$policy"
  trap - EXIT
fi

if [ -z "${JAVA_HOME:-}" ] && [ -d /usr/lib/jvm/java-17-openjdk-amd64 ] && [ "${java_major:-0}" != 17 ]; then
  export JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64
fi

# shellcheck source=lib/local-services.sh
. deploy/lib/local-services.sh
if $installed_postgres; then ensure_postgres fresh; else ensure_postgres; fi
ensure_rabbitmq

echo "== mvn -B verify $*"
exec mvn -B verify "$@"
