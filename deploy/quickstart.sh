#!/usr/bin/env bash
# The whole tutorial on one machine, every host a directory below ./work-local/
# (CVMFS_SUITE_PREFIX) and every daemon a process of its own on free loopback ports:
#   gateway host   cvmfs_server mkfs, cvmfs_gateway, cvmfs_notify, the Conveyor job server
#   publisher 1, 2 cvmfs_server mkfs -u gw,...; two transactions open at once, published at the
#                  same time; then a Conveyor worker on each
#   frontend       a notification subscriber (cvmfs_swissknife notify -s -c) that prints each
#                  new revision; the tutorial's ten Conveyor jobs (test_transaction.sh unpacking
#                  an archive, both served with their sha1 by a local HTTP server) and the job
#                  depending on all ten, submitted with --wait; the repository read over HTTP
# `deploy/quickstart.sh --keep` leaves the daemons running at the end until Ctrl-C.
# One line per step; the daemons' logs stay in ./work-local/. Everything this script started is
# stopped on every exit, Ctrl-C included; each run starts from an empty ./work-local/.
#
# Needs Java 17, Maven (the suite is built if its jars are missing), curl and python3, and the
# PostgreSQL (127.0.0.1:5432, user postgres) and RabbitMQ (127.0.0.1:5672, guest/guest) of this
# machine: started when down (as root; deploy/test.sh installs them), never reconfigured. On them
# the run uses a database, queues and exchanges named quickstart_PID / quickstart-PID.*, so that
# it never meets a test's; the database, the queues and the exchanges are removed at the end.
set -euo pipefail

suite=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
work="$suite/work-local"
repo=demo.cvmfs.local
gw_host="$work/gateway"
bin="$suite/deploy/bin"
run_id=$$
database="conveyor_quickstart_$run_id"
names="quickstart-$run_id"
# the tools' class-data-sharing archives stay in ./work-local too, not in ~/.cache
export CVMFS_SUITE_CDS_DIR="${CVMFS_SUITE_CDS_DIR:-$work/cds}"
# the daemons listen on loopback only
daemon_java_opts="${JAVA_OPTS:-} -Xmx256m -Dquarkus.http.host=127.0.0.1"
started_at=$(date +%s)

step=0
say() { step=$((step + 1)); printf '[%3ss] %2d. %s\n' "$(( $(date +%s) - started_at ))" "$step" "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }

for tool in curl python3 psql rabbitmqctl; do
  command -v "$tool" >/dev/null || fail "$tool is missing (deploy/test.sh installs what the suite needs)"
done

# --- what this script started, stopped on every exit ------------------------------------------

pids=()
db_made=false
unmount_below() {
  # as root the publisher bind-mounts its working tree at /cvmfs/REPO/PATH below its prefix
  [ -d "$1" ] || return 0
  awk -v root="$1/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r |
    while read -r target; do umount "$target" || true; done
}
stop_started() {
  local pid
  trap - INT TERM
  for pid in "${pids[@]+"${pids[@]}"}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]+"${pids[@]}"}"; do wait "$pid" 2>/dev/null || true; done
  unmount_below "$work"
  if $db_made; then
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $database WITH (FORCE)" >/dev/null 2>&1 || true
    for q in "$names.jobs" "$names.jobs.dead"; do rabbitmqctl -q delete_queue "$q" >/dev/null 2>&1 || true; done
    # rabbitmqctl has no delete_exchange; the broker's own call does it (RabbitMQ 3.x)
    for x in "$names.activity" "$names.jobs" "$names.jobs.dead" "$names.jobs.done"; do
      rabbitmqctl -q eval "rabbit_exchange:delete(rabbit_misc:r(<<\"/\">>, exchange, <<\"$x\">>), false, <<\"quickstart\">>)." \
        >/dev/null 2>&1 || true
    done
  fi
}
trap stop_started EXIT
# Ctrl-C or kill: leave through the EXIT trap, which stops the daemons
trap 'echo; echo "interrupted: stopping what the quickstart started"; exit 130' INT TERM

# --- the suite and the machine's servers -----------------------------------------------------

for module in gateway-service notify-service cvmfs-server conveyor-server conveyor-worker; do
  if [ ! -f "$suite/$module/target/quarkus-app/quarkus-run.jar" ]; then
    say "building the suite (mvn -B -q package -DskipTests; a few minutes the first time)"
    (cd "$suite" && mvn -B -q package -DskipTests -pl gateway-service,notify-service,cvmfs-server,conveyor-server,conveyor-worker -am)
    break
  fi
done

say "PostgreSQL on 127.0.0.1:5432 and RabbitMQ on 127.0.0.1:5672 (started if down)"
# shellcheck source=lib/local-services.sh
. "$suite/deploy/lib/local-services.sh"
ensure_postgres
ensure_rabbitmq

# A previous run's daemons were stopped by its trap; if that run was killed, they are ours to
# stop, provided the pid still names one of our processes (pids are reused).
for pidfile in "$work"/*.pid; do
  [ -f "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if { tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -q -- "$suite/"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
  fi
done
unmount_below "$work"
rm -rf "$work"
mkdir -p "$gw_host"

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

# start NAME LOG CMD...: CMD in the background, its pid remembered (and written for a later run)
start() {
  local name=$1 log=$2
  shift 2
  "$@" > "$log" 2>&1 &
  pids+=($!)
  echo $! > "$work/$name.pid"
  last_pid=$!
}
# a free port other than those already taken by this run
taken=()
next_port() {
  local p
  p=$(free_port "$1")
  while [[ " ${taken[*]-} " == *" $p "* ]]; do p=$(free_port $((20000 + RANDOM % 40000))); done
  taken+=("$p")
  echo "$p"
}

gw_port=$(next_port 4929)
notify_port=$(next_port 4930)
conveyor_port=$(next_port 8080)
staging_port=$(next_port 8000)
stratum0="http://127.0.0.1:$gw_port/cvmfs/$repo"

# --- gateway host ----------------------------------------------------------------------------

say "gateway host: cvmfs_server mkfs $repo (in $gw_host)"
CVMFS_SUITE_PREFIX="$gw_host" "$bin/cvmfs_server" mkfs -o "$(id -un)" "$repo" > "$work/mkfs-gateway.log" 2>&1 ||
  { cat "$work/mkfs-gateway.log"; fail "mkfs on the gateway host"; }
keys="$gw_host/etc/cvmfs/keys"
echo "plain_text key1 $(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" > "$keys/$repo.gw"
chmod 600 "$keys/$repo.gw"
mkdir -p "$gw_host/etc/cvmfs/gateway" "$gw_host/etc/cvmfs/notify" "$gw_host/etc/cvmfs/conveyor"
printf '{\n  "version": 2,\n  "repos": ["%s"]\n}\n' "$repo" > "$gw_host/etc/cvmfs/gateway/repo.json"
cat > "$gw_host/etc/cvmfs/gateway/user.json" <<EOF
{
  "port": $gw_port,
  "max_lease_time": 7200,
  "log_level": "info",
  "notify_url": "http://127.0.0.1:$notify_port/api/v1"
}
EOF
cat > "$gw_host/etc/cvmfs/notify/config.json" <<EOF
{
  "port": $notify_port,
  "log_level": "info",
  "testing_mode": false,
  "amqp": { "user": "guest", "pass": "guest", "url": "127.0.0.1", "exchange": "$names.activity",
            "port": 5672, "vhost": "/" }
}
EOF

say "gateway host: cvmfs_notify on :$notify_port, relaying through RabbitMQ (exchange $names.activity)"
start notify "$work/notify.log" env CVMFS_SUITE_PREFIX="$gw_host" JAVA_OPTS="$daemon_java_opts" "$bin/cvmfs_notify"
notify_pid=$last_pid
say "gateway host: cvmfs_gateway on :$gw_port"
start gateway "$work/gateway.log" env CVMFS_SUITE_PREFIX="$gw_host" JAVA_OPTS="$daemon_java_opts" "$bin/cvmfs_gateway"
gateway_pid=$last_pid

say "gateway host: conveyor server on :$conveyor_port (database $database, queue $names.jobs)"
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $database" >/dev/null || fail "CREATE DATABASE $database"
db_made=true
# the tutorial's config_gw.toml with this run's ports and names
sed -e 's/^host = "localhost"/host = "127.0.0.1"/' -e "s/^database = \"cvmfs\"/database = \"$database\"/" \
    -e "/^\[server\]/,/^\[/ s/^port = .*/port = $conveyor_port/" \
    -e "/^vhost = /a new_job_exchange = \"$names.jobs\"\nnew_job_queue = \"$names.jobs\"\ncompleted_job_exchange = \"$names.jobs.done\"" \
    "$suite/deploy/conveyor/gateway.toml" > "$gw_host/etc/cvmfs/conveyor/config.toml"
start conveyor-server "$work/conveyor-server.log" env JAVA_OPTS="$daemon_java_opts" \
  "$bin/conveyor" server -c "$gw_host/etc/cvmfs/conveyor/config.toml"
conveyor_pid=$last_pid

await_http "http://127.0.0.1:$notify_port/q/health/ready" "$notify_pid" "$work/notify.log"
await_http "http://127.0.0.1:$gw_port/api/v1/repos" "$gateway_pid" "$work/gateway.log"
await_http "http://127.0.0.1:$conveyor_port/q/health/ready" "$conveyor_pid" "$work/conveyor-server.log"
say "gateway host: notify, gateway and conveyor server ready (logs: $work/{notify,gateway,conveyor-server}.log)"

# --- frontend: a subscriber that prints every new revision -------------------------------------

revision=$(curl -fsS "$stratum0/.cvmfspublished" | tr -d '\000' | sed -n 's/^S\([0-9]*\)$/\1/p' | head -n 1)
say "frontend: cvmfs_swissknife notify -s -c -t $repo -m $revision (prints each revision above $revision)"
start subscriber "$work/subscriber.log" "$bin/cvmfs_swissknife" notify -s -c \
  -u "http://127.0.0.1:$notify_port/api/v1/subscribe" -t "$repo" -m "$revision"

# --- publisher hosts ---------------------------------------------------------------------------

mkdir -p "$work/keys-for-publishers"
cp "$keys/$repo".{crt,pub,gw} "$work/keys-for-publishers/"
for h in publisher-1 publisher-2; do
  say "$h: keys copied from the gateway host, cvmfs_server mkfs -u gw,...,http://127.0.0.1:$gw_port/api/v1"
  CVMFS_SUITE_PREFIX="$work/$h" "$bin/cvmfs_server" mkfs -o "$(id -un)" -k "$work/keys-for-publishers" \
    -u "gw,$work/$h/var/spool/cvmfs/$repo/tmp/,http://127.0.0.1:$gw_port/api/v1" -w "$stratum0" "$repo" \
    > "$work/mkfs-$h.log" 2>&1 || { cat "$work/mkfs-$h.log"; fail "mkfs on $h"; }
done

for h in publisher-1 publisher-2; do
  say "$h: cvmfs_server transaction $repo/$h (both leases held at once)"
  out=$(CVMFS_SUITE_PREFIX="$work/$h" "$bin/cvmfs_server" transaction "$repo/$h" 2>&1) || { echo "$out"; fail "transaction on $h"; }
  tree=$(sed -n 's/.* open in \(.*\) (revision .*/\1/p' <<<"$out")
  [ -d "$tree" ] || fail "$h: the transaction did not say where to write: $out"
  echo "Hello from $h, $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$tree/greeting.txt"
  mkdir -p "$tree/bin"
  printf '#!/bin/sh\necho "hello from %s"\n' "$h" > "$tree/bin/hello.sh"
  chmod 755 "$tree/bin/hello.sh"
  head -c 200000 /dev/urandom > "$tree/random.bin"
  sha1sum < "$tree/random.bin" | cut -d' ' -f1 > "$work/$h.sha1"
done
say "publisher-1 and publisher-2: cvmfs_server publish, at the same time"
publishers=()
for h in publisher-1 publisher-2; do
  CVMFS_SUITE_PREFIX="$work/$h" "$bin/cvmfs_server" publish -m "from $h" "$repo" > "$work/publish-$h.log" 2>&1 &
  publishers+=($!)
done
for i in 0 1; do
  wait "${publishers[$i]}" || { cat "$work/publish-publisher-$((i + 1)).log"; fail "publish on publisher-$((i + 1))"; }
done
for h in publisher-1 publisher-2; do
  sum=$("$bin/cvmfs_server" cat -k "$keys/$repo.pub" "$stratum0" "/$h/random.bin" | sha1sum | cut -d' ' -f1)
  [ "$sum" = "$(cat "$work/$h.sha1")" ] || fail "/$h/random.bin read over HTTP differs from what $h wrote"
done
say "both publications are in the repository, byte for byte over HTTP"

# --- Conveyor workers on the publisher hosts ---------------------------------------------------

n=0
for h in publisher-1 publisher-2; do
  n=$((n + 1))
  health=$(next_port $((8081 + n)))
  mkdir -p "$work/$h/etc/cvmfs/conveyor"
  # the tutorial's config_publisher.toml, the gateway host named by its address here
  sed -e 's/cvm19-gw-$ID.cern.ch/127.0.0.1/' -e "/^\[server\]/,/^\[/ s/^port = .*/port = $conveyor_port/" \
      -e "/^vhost = /a new_job_exchange = \"$names.jobs\"\nnew_job_queue = \"$names.jobs\"\ncompleted_job_exchange = \"$names.jobs.done\"" \
      -e "s/^# name = defaults to hostname/name = \"$h\"/" -e "s#^temp_dir = .*#temp_dir = \"$work/$h/tmp/conveyor-worker\"#" \
      "$suite/deploy/conveyor/publisher.toml" > "$work/$h/etc/cvmfs/conveyor/config.toml"
  say "$h: conveyor worker (health on :$health, log $work/worker-$h.log)"
  start "worker-$h" "$work/worker-$h.log" env CVMFS_SUITE_PREFIX="$work/$h" \
    JAVA_OPTS="$daemon_java_opts -Dquarkus.http.port=$health" \
    "$bin/conveyor" worker -c "$work/$h/etc/cvmfs/conveyor/config.toml"
  eval "worker_pid_$n=$last_pid worker_health_$n=$health"
done
await_http "http://127.0.0.1:$worker_health_1/q/health/ready" "$worker_pid_1" "$work/worker-publisher-1.log"
await_http "http://127.0.0.1:$worker_health_2/q/health/ready" "$worker_pid_2" "$work/worker-publisher-2.log"
say "both workers ready"

# --- frontend: the tutorial's Conveyor jobs ----------------------------------------------------

staging="$work/staging"
# shellcheck source=lib/tutorial-jobs.sh
. "$suite/deploy/lib/tutorial-jobs.sh"
TMPDIR="$work" tutorial_stage_jobs "$staging"
script_sha1=$tutorial_script_sha1
staging_url="http://127.0.0.1:$staging_port"
say "frontend: test_transaction.sh (sha1 $script_sha1) and ten archives served at $staging_url"
start staging "$work/staging.log" python3 -m http.server --bind 127.0.0.1 --directory "$staging" "$staging_port"
await_http "$staging_url/test_transaction.sh" "$last_pid" "$work/staging.log"

# the tutorial's config_front.toml
mkdir -p "$work/frontend/etc/cvmfs/conveyor"
front_conf="$work/frontend/etc/cvmfs/conveyor/config.toml"
sed -e 's/cvm19-gw-$ID.cern.ch/127.0.0.1/' -e "/^\[server\]/,/^\[/ s/^port = .*/port = $conveyor_port/" \
    -e "/^vhost = /a new_job_exchange = \"$names.jobs\"\nnew_job_queue = \"$names.jobs\"\ncompleted_job_exchange = \"$names.jobs.done\"" \
    "$suite/deploy/conveyor/frontend.toml" > "$front_conf"
ids=()
for i in $(seq 0 9); do
  id_i=$("$bin/conveyor" -c "$front_conf" submit --repo "$repo" --lease-path "/tool-0.$i.0" \
    --payload "$(tutorial_payload "$staging_url" "$i")" \
    2>>"$work/submit.err" | tail -n 1 | sed -n 's/.*"job_id":"\([^"]*\)".*/\1/p')
  [ -n "$id_i" ] || { cat "$work/submit.err"; fail "conveyor submit of job $i"; }
  ids+=("$id_i")
  say "frontend: conveyor submit --lease-path /tool-0.$i.0 -> job $id_i"
done
deps=$(IFS=,; echo "${ids[*]}")
say "frontend: conveyor submit --deps <the ten jobs> --wait"
timeout 900 "$bin/conveyor" -c "$front_conf" submit --repo "$repo" --deps "$deps" --wait \
  > "$work/wait.out" 2>>"$work/submit.err" ||
  { cat "$work/wait.out" "$work/submit.err"; tail -n 30 "$work"/worker-*.log; fail "the dependent --wait job"; }
tail -n 1 "$work/wait.out" | grep -q '"success":true' || { cat "$work/wait.out"; fail "the dependent job did not succeed"; }
"$bin/conveyor" -c "$front_conf" check --ids "$deps" > "$work/check-jobs.out" 2>&1 || { cat "$work/check-jobs.out"; fail "conveyor check"; }
[ "$(grep -c '"Successful":true' "$work/check-jobs.out")" -eq 10 ] || { cat "$work/check-jobs.out"; fail "not all ten jobs report success"; }
per_worker=$("$bin/conveyor" -c "$front_conf" check --full-status --ids "$deps" 2>/dev/null |
  grep -o '"WorkerName":"[^"]*"' | sed 's/"WorkerName":"\(.*\)"/\1/' | sort | uniq -c | awk '{printf "%s%s: %s", sep, $2, $1; sep=", "}')
say "the ten jobs and the dependent job succeeded (jobs per worker: ${per_worker:-?})"

# --- what a client sees ----------------------------------------------------------------------

"$bin/cvmfs_server" check -k "$keys/$repo.pub" "$stratum0" > "$work/check.log" 2>&1 ||
  { cat "$work/check.log"; fail "cvmfs_server check $stratum0"; }
for i in $(seq 0 9); do
  text=$("$bin/cvmfs_server" cat -k "$keys/$repo.pub" "$stratum0" "/tool-0.$i.0/tool-0.$i.0/README")
  [ "$text" = "tool version 0.$i.0" ] || fail "/tool-0.$i.0/tool-0.$i.0/README reads '$text'"
done
say "frontend: cvmfs_server check $stratum0 passes; the ten unpacked archives read back over HTTP"
"$bin/cvmfs_server" ls -k "$keys/$repo.pub" "$stratum0" / | sed 's/^/      \//'

final=$(curl -fsS "$stratum0/.cvmfspublished" | tr -d '\000' | sed -n 's/^S\([0-9]*\)$/\1/p' | head -n 1)
for _ in $(seq 1 100); do grep -q "revision $final\." "$work/subscriber.log" 2>/dev/null && break; sleep 0.2; done
grep -q "revision $final\." "$work/subscriber.log" || { cat "$work/subscriber.log"; fail "the subscriber did not receive revision $final"; }
say "frontend: the subscriber received the new revisions, up to $final (log $work/subscriber.log):"
tail -n 4 "$work/subscriber.log" | sed 's/^/      /'

say "done in $(( $(date +%s) - started_at )) s"
cat <<EOF
The repository, as a CernVM-FS client reads it over HTTP (while the daemons run; --keep keeps them):
  $stratum0/.cvmfspublished               (the signed manifest)
  deploy/bin/cvmfs_server ls -k $keys/$repo.pub $stratum0 /
  deploy/bin/cvmfs_server cat -k $keys/$repo.pub $stratum0 /publisher-1/greeting.txt
Every host's files and every daemon's log stay in $work until the next run.
EOF
if [ "${1:-}" = --keep ]; then
  say "the daemons keep running until Ctrl-C"
  wait
fi
say "stopping the daemons"
