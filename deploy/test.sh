#!/usr/bin/env bash
# deploy/test.sh [MAVEN ARGS...]: run every test of the suite on this machine, as README.md shows.
# Installs what is missing with apt-get (JDK 17, Maven, PostgreSQL, RabbitMQ; needs root), starts
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

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  as_root "starting PostgreSQL"
  cluster=$(ls /etc/postgresql | sort -V | tail -n 1)
  if $installed_postgres; then
    # a cluster this script just installed: the tests log in as postgres without a password
    # from loopback, as on the development machines
    hba=/etc/postgresql/$cluster/main/pg_hba.conf
    { echo "local all all trust"; echo "host all all 127.0.0.1/32 trust"; echo "host all all ::1/128 trust"; cat "$hba"; } > "$hba.new"
    mv "$hba.new" "$hba"
  fi
  echo "== starting PostgreSQL $cluster"
  pg_ctlcluster --skip-systemctl-redirect "$cluster" main start
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p 5432 -q && break; sleep 1; done
fi
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "deploy/test.sh: PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }

if ! rabbitmqctl -q status >/dev/null 2>&1; then
  as_root "starting RabbitMQ"
  echo "== starting RabbitMQ"
  rabbitmq-server -detached
fi
for _ in $(seq 1 90); do rabbitmqctl -q await_startup >/dev/null 2>&1 && break; sleep 2; done
rabbitmqctl -q await_startup >/dev/null 2>&1 || { echo "deploy/test.sh: RabbitMQ did not start" >&2; exit 1; }

echo "== mvn -B verify $*"
exec mvn -B verify "$@"
