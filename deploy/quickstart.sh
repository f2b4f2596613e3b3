#!/usr/bin/env bash
# The tutorial on one machine: a gateway host and a publisher host, each a directory below
# ./work-local/ (CVMFS_SUITE_PREFIX), the gateway and the notification service on free loopback
# ports. Creates demo.cvmfs.local, publishes a few files from the publisher through the gateway,
# verifies the result over HTTP and shows it, then stops what it started. Each run starts from
# an empty ./work-local/; nothing outside it is touched.
#
# Needs Java 17 and Maven (the suite is built if its jars are missing). RabbitMQ on
# 127.0.0.1:5672 (guest/guest) is used by the notification service when it answers; otherwise
# the service runs in upstream's testing_mode, one node without a broker.
set -euo pipefail

suite=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
work="$suite/work-local"
repo=demo.cvmfs.local
gw_host="$work/gateway"
pub_host="$work/publisher"
bin="$suite/deploy/bin"
# the tools' class-data-sharing archives stay in ./work-local too, not in ~/.cache
export CVMFS_SUITE_CDS_DIR="${CVMFS_SUITE_CDS_DIR:-$work/cds}"
# the daemons listen on loopback only
daemon_java_opts="${JAVA_OPTS:-} -Dquarkus.http.host=127.0.0.1"

say() { printf '\n== %s\n' "$*"; }

# --- what this script started, stopped on every exit ------------------------------------------

pids=()
unmount_below() {
  # as root the publisher bind-mounts its working tree at /cvmfs/REPO/PATH below its prefix
  [ -d "$1" ] || return 0
  awk -v root="$1/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r target; do umount "$target" || true; done
}
stop_started() {
  local pid
  for pid in "${pids[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  unmount_below "$work"
}
trap stop_started EXIT

# --- the suite -------------------------------------------------------------------------------

for module in gateway-service notify-service cvmfs-server; do
  if [ ! -f "$suite/$module/target/quarkus-app/quarkus-run.jar" ]; then
    say "building the suite (mvn -B -q package -DskipTests)"
    (cd "$suite" && mvn -B -q package -DskipTests)
    break
  fi
done

# A previous run's daemons were stopped by its trap; if that run was killed, they are ours to
# stop, provided the pid still names one of them (pids are reused).
for pidfile in "$work"/*.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "-jar $suite/.*/quarkus-run.jar"; then
    kill "$pid"
    for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  fi
done
unmount_below "$work"
rm -rf "$work"
mkdir -p "$gw_host" "$pub_host"

# port_free PORT: nothing listens on 127.0.0.1:PORT
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# free_port PREFERRED: PREFERRED if free, else a free port from a random walk above 20000
free_port() {
  local p=$1
  while ! port_free "$p"; do p=$((20000 + RANDOM % 40000)); done
  echo "$p"
}
# http_ok URL: GET URL (http://127.0.0.1:PORT/PATH) answers 200; bash only, curl may be missing
http_ok() (
  hostport=${1#http://}
  path="/${hostport#*/}"
  hostport=${hostport%%/*}
  exec 3<>"/dev/tcp/${hostport%:*}/${hostport#*:}" || exit 1
  printf 'GET %s HTTP/1.0\r\nHost: %s\r\n\r\n' "$path" "$hostport" >&3
  head -n 1 <&3 | grep -q ' 200 '
) 2>/dev/null
# await_http URL PID LOG: until URL answers 200; fails with the log if the daemon PID exits
await_http() {
  local i
  for i in $(seq 1 300); do
    if ! kill -0 "$2" 2>/dev/null; then
      echo "the daemon exited; its log ($3):" >&2
      cat "$3" >&2
      exit 1
    fi
    if http_ok "$1"; then
      return 0
    fi
    sleep 0.2
  done
  echo "no answer from $1 after a minute; log: $3" >&2
  exit 1
}

gw_port=$(free_port 4929)
notify_port=$(free_port 4930)
[ "$notify_port" != "$gw_port" ] || notify_port=$(free_port $((gw_port + 1)))
stratum0="http://127.0.0.1:$gw_port/cvmfs/$repo"

# --- gateway host ----------------------------------------------------------------------------

say "gateway host ($gw_host): cvmfs_server mkfs -o root $repo"
CVMFS_SUITE_PREFIX="$gw_host" "$bin/cvmfs_server" mkfs -o "$(id -un)" "$repo"
keys="$gw_host/etc/cvmfs/keys"
echo "plain_text key1 $(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" > "$keys/$repo.gw"
chmod 600 "$keys/$repo.gw"
mkdir -p "$gw_host/etc/cvmfs/gateway" "$gw_host/etc/cvmfs/notify"
cat > "$gw_host/etc/cvmfs/gateway/repo.json" <<EOF
{
  "version": 2,
  "repos": ["$repo"]
}
EOF
cat > "$gw_host/etc/cvmfs/gateway/user.json" <<EOF
{
  "port": $gw_port,
  "max_lease_time": 7200,
  "log_level": "info",
  "notify_url": "http://127.0.0.1:$notify_port/api/v1"
}
EOF

if (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null; then
  testing_mode=false
  say "notification service on :$notify_port, relaying through RabbitMQ on 127.0.0.1:5672"
else
  testing_mode=true
  say "notification service on :$notify_port in testing_mode (RabbitMQ does not answer on 127.0.0.1:5672)"
fi
cat > "$gw_host/etc/cvmfs/notify/config.json" <<EOF
{
  "port": $notify_port,
  "log_level": "info",
  "testing_mode": $testing_mode,
  "amqp": { "user": "guest", "pass": "guest", "url": "127.0.0.1", "exchange": "repository.activity",
            "port": 5672, "vhost": "/" }
}
EOF
CVMFS_SUITE_PREFIX="$gw_host" JAVA_OPTS="$daemon_java_opts" "$bin/cvmfs_notify" > "$work/notify.log" 2>&1 &
pids+=($!)
echo $! > "$work/notify.pid"
await_http "http://127.0.0.1:$notify_port/q/health/ready" "$!" "$work/notify.log"
echo "notify ready (log: $work/notify.log)"

say "gateway on :$gw_port (cvmfs_gateway, log: $work/gateway.log)"
CVMFS_SUITE_PREFIX="$gw_host" JAVA_OPTS="$daemon_java_opts" "$bin/cvmfs_gateway" > "$work/gateway.log" 2>&1 &
pids+=($!)
echo $! > "$work/gateway.pid"
await_http "http://127.0.0.1:$gw_port/api/v1/repos" "$!" "$work/gateway.log"
echo "gateway ready: GET http://127.0.0.1:$gw_port/api/v1/repos answers 200"

# --- publisher host --------------------------------------------------------------------------

say "publisher host ($pub_host): keys from the gateway host, cvmfs_server mkfs -u gw,..."
mkdir -p "$work/keys-for-publishers"
cp "$keys/$repo".{crt,pub,gw} "$work/keys-for-publishers/"
spool_tmp="$pub_host/var/spool/cvmfs/$repo/tmp/"
CVMFS_SUITE_PREFIX="$pub_host" "$bin/cvmfs_server" mkfs -o "$(id -un)" -k "$work/keys-for-publishers" \
  -u "gw,$spool_tmp,http://127.0.0.1:$gw_port/api/v1" -w "$stratum0" "$repo"

say "cvmfs_server transaction $repo/hello"
out=$(CVMFS_SUITE_PREFIX="$pub_host" "$bin/cvmfs_server" transaction "$repo/hello")
echo "$out"
tree=$(sed -n 's/.* open in \(.*\) (revision .*/\1/p' <<<"$out")
[ -d "$tree" ] || { echo "transaction did not say where to write" >&2; exit 1; }

echo "writing into $tree"
echo "Hello from the CernVM-FS Java suite, $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$tree/greeting.txt"
mkdir -p "$tree/bin"
printf '#!/bin/sh\necho "hello, world"\n' > "$tree/bin/hello.sh"
chmod 755 "$tree/bin/hello.sh"
ln -s bin/hello.sh "$tree/run"
head -c 100000 /dev/urandom > "$tree/random.bin"

say "cvmfs_server publish $repo"
CVMFS_SUITE_PREFIX="$pub_host" "$bin/cvmfs_server" publish -m "quickstart" "$repo"

# --- what a client sees ----------------------------------------------------------------------

say "cvmfs_server check $stratum0 (everything verified over HTTP against $repo.pub)"
"$bin/cvmfs_server" check -k "$keys/$repo.pub" "$stratum0"

say "cvmfs_server ls -l $stratum0 /hello"
"$bin/cvmfs_server" ls -l -k "$keys/$repo.pub" "$stratum0" /hello

say "cvmfs_server cat $stratum0 /hello/greeting.txt"
"$bin/cvmfs_server" cat -k "$keys/$repo.pub" "$stratum0" /hello/greeting.txt

say "the notification service got the new revision (cvmfs_swissknife notify -s)"
timeout 60 "$bin/cvmfs_swissknife" notify -s \
  -u "http://127.0.0.1:$notify_port/api/v1/subscribe" -t "$repo" -m 1

say "done"
cat <<EOF
The gateway served $repo at $stratum0 and took a publication from the publisher host through
http://127.0.0.1:$gw_port/api/v1; every host directory is below $work (logs included).
The daemons stop now. To keep them running, start them as above with
CVMFS_SUITE_PREFIX=$gw_host $bin/cvmfs_gateway (and cvmfs_notify).
EOF
