#!/usr/bin/env bash
# test.sh: the tutorial's hosts on one machine, each publisher and the frontend in a network
# namespace of its own, joined to the gateway host by a private bridge this script makes
# (10.219.N.0/24, N from the process id; no route anywhere else, no other traffic):
#   gateway host   root namespace, 10.219.N.1: cvmfs_gateway, cvmfs_notify and the Conveyor
#                  job server bound to that address; the repository made with cvmfs_server mkfs;
#                  a private RabbitMQ node on that address with a broker user of the test's own
#                  (RabbitMQ refuses guest from other hosts; the machine's broker is shared),
#                  Conveyor's jobs in a database of the test's own on the machine's PostgreSQL
#   publisher 1, 2 namespaces, 10.219.N.11/.12, each with a mount namespace of its own in which
#                  private directories (below the work dir) are bind-mounted over /etc/cvmfs,
#                  /var/spool/cvmfs and /cvmfs: cvmfs_server mkfs -u gw,/var/spool/cvmfs/REPO/tmp/,
#                  http://10.219.N.1:4929/api/v1 with the tutorial's default paths, concurrent
#                  transactions on disjoint paths, published at the same time; then the Conveyor
#                  worker with the tutorial's /etc/cvmfs/conveyor/config.toml of that host
#   frontend       namespace, 10.219.N.20: reads the repository over HTTP (cvmfs_server check,
#                  cat), receives the new revision from the notification service, submits the
#                  tutorial's Conveyor jobs and checks them
# The gateway host is a directory below a temporary work dir (CVMFS_SUITE_PREFIX); addresses come
# only from the configuration files written as the tutorial writes them. Nothing is written to
# the root namespace's /etc/cvmfs, /var/spool/cvmfs or /cvmfs (checked at the end; mountpoints
# missing there are made empty and removed again). Needs root, iproute2 and util-linux.
# Prints "N passed, 0 failed"; cleans up namespaces, bridge, mounts and daemons on every exit.
set -euo pipefail
# `conveyor` and `cvmfs_server transaction|publish|abort` calls after the first go to the resident
# JVM the launcher starts; a test's one exits a minute after its last call instead of the default
# quarter of an hour
export CONVEYOR_CLIENT_IDLE=${CONVEYOR_CLIENT_IDLE:-60} CVMFS_SUITE_SERVER_IDLE=${CVMFS_SUITE_SERVER_IDLE:-60}
suite="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
bin="$suite/deploy/bin"
# shellcheck source=../lib/tutorial-jobs.sh
. "$suite/deploy/lib/tutorial-jobs.sh"
[ "$(id -u)" -eq 0 ] || { echo "netns/test.sh needs root (ip netns, veth)" >&2; exit 1; }
command -v curl >/dev/null && command -v ip >/dev/null ||
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl iproute2; }
modules=(gateway-service notify-service cvmfs-server)
conveyor=false
if [ -x "$bin/conveyor" ]; then conveyor=true; modules+=(conveyor-server); fi
for module in "${modules[@]}"; do
  [ -f "$suite/$module/target/quarkus-app/quarkus-run.jar" ] ||
    (cd "$suite" && mvn -B -q -DskipTests -pl "$(IFS=,; echo "${modules[*]}")" -am package)
done

id=$$
net="10.219.$((id % 250 + 1))"
gw_ip="$net.1"
bridge="cvbr$id"
repo=netns.cvmfs.test
work=$(mktemp -d /tmp/cvmfs-netns-test.XXXXXX)
hosts=(pub1 pub2 front)
declare -A host_ip=([pub1]="$net.11" [pub2]="$net.12" [front]="$net.20")
pids=()
passed=0
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }
fail() { echo "FAILED: $*" >&2; echo "$passed passed, 1 failed"; exit 1; }
ns() { echo "cvmfs-$1-$id"; }
# the publisher hosts' persistent mount namespaces: files below $mntns (a private bind mount, as
# /run/netns is for network namespaces), each bound to its namespace by unshare --mount=FILE
mntns="$work/mntns"
host_paths=(/etc/cvmfs /var/spool/cvmfs /cvmfs)
made_mountpoints=()
# on HOST CMD...: CMD in HOST's network namespace and, on a publisher host, in its mount namespace
# (where /etc/cvmfs, /var/spool/cvmfs and /cvmfs are that host's own); other files are shared
# (in a subshell of its own, a background job or $(...), nsenter replaces it: $! is the command
# itself, which the cleanup's kill reaches, not a shell that would leave it running)
on() {
  local h=$1 enter
  shift
  enter=(nsenter --net="/run/netns/$(ns "$h")")
  case "$h" in pub*) enter+=(--mount="$mntns/$h") ;; esac
  if [ "$BASHPID" != "$$" ]; then exec "${enter[@]}" -- "$@"; fi
  "${enter[@]}" -- "$@"
}
# root_paths_listing: what the root namespace holds at /etc/cvmfs, /var/spool/cvmfs and /cvmfs
root_paths_listing() { local p; for p in "${host_paths[@]}"; do [ -e "$p" ] && find "$p" | sort; done; true; }

rabbit_env() {
  env HOME="$work/rabbit" RABBITMQ_NODENAME="rabbit-netns-$id@localhost" ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_NODE_IP_ADDRESS="$gw_ip" RABBITMQ_NODE_PORT=5672 RABBITMQ_DIST_PORT="$rabbit_dist_port" \
    RABBITMQ_MNESIA_BASE="$work/rabbit/mnesia" RABBITMQ_LOG_BASE="$work/rabbit/log" \
    RABBITMQ_CONFIG_FILE="$work/rabbit/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$work/rabbit/enabled_plugins" \
    RABBITMQ_CONF_ENV_FILE="$work/rabbit/rabbitmq-env.conf" RABBITMQ_ADVANCED_CONFIG_FILE="$work/rabbit/advanced.config" \
    RABBITMQ_PID_FILE="$work/rabbit/rabbitmq.pid" RABBITMQ_LOGS="$work/rabbit/log/node.log" "$@"
}
database="conveyor_netns_$id"
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  # the private broker's Erlang VM, by the pid it wrote (it runs below a subshell)
  if [ -s "$work/rabbit/rabbitmq.pid" ]; then
    pid=$(cat "$work/rabbit/rabbitmq.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 60); do [ -d "/proc/$pid" ] || break; sleep 0.5; done
  fi
  # a mount namespace ends with its last process and its file: its mounts go with it
  for h in pub1 pub2; do umount "$mntns/$h" 2>/dev/null || true; done
  awk -v root="$work/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount || true
  # the empty mountpoints this run made, unless another run's publisher namespaces still use them
  if [ ${#made_mountpoints[@]} -gt 0 ] && ! ls /run/netns 2>/dev/null | grep -v -- "-$id\$" | grep -q '^cvmfs-pub'; then
    for p in "${made_mountpoints[@]}"; do rmdir "$p" 2>/dev/null || true; done
  fi
  if $conveyor; then psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $database" >/dev/null 2>&1 || true; fi
  for h in "${hosts[@]}"; do ip netns del "$(ns "$h")" 2>/dev/null || true; done
  ip link del "$bridge" 2>/dev/null || true
  if [ "${KEEP_WORK:-}" = yes ]; then echo "work dir kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

# --- the network: a bridge in the root namespace, one veth per host namespace -----------------
ip link add "$bridge" type bridge
ip addr add "$gw_ip/24" dev "$bridge"
ip link set "$bridge" up
i=0
for h in "${hosts[@]}"; do
  i=$((i + 1))
  ip netns add "$(ns "$h")"
  ip link add "cvv$i-$id" type veth peer name eth0 netns "$(ns "$h")"
  ip link set "cvv$i-$id" master "$bridge" up
  ip -n "$(ns "$h")" addr add "${host_ip[$h]}/24" dev eth0
  ip -n "$(ns "$h")" link set eth0 up
  ip -n "$(ns "$h")" link set lo up
done

# --- the publisher hosts' mount namespaces: their own /etc/cvmfs, /var/spool/cvmfs, /cvmfs -------
mkdir -p "$mntns"
mount --bind "$mntns" "$mntns"
mount --make-private "$mntns"
for p in "${host_paths[@]}"; do
  [ -e "$p" ] || { mkdir "$p"; made_mountpoints+=("$p"); }
done
root_paths_before=$(root_paths_listing)
for h in pub1 pub2; do
  touch "$mntns/$h"
  unshare --mount="$mntns/$h" --propagation private true
  for p in "${host_paths[@]}"; do
    mkdir -p "$work/$h$p"
    nsenter --mount="$mntns/$h" -- mount --bind "$work/$h$p" "$p"
  done
done

# --- gateway host --------------------------------------------------------------------------------
gwh="$work/gateway"
CVMFS_SUITE_PREFIX="$gwh" "$bin/cvmfs_server" mkfs -o root "$repo" > "$work/mkfs-gw.log" 2>&1 ||
  { cat "$work/mkfs-gw.log"; fail "gateway mkfs"; }
echo "plain_text key1 $(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')" > "$gwh/etc/cvmfs/keys/$repo.gw"
chmod 600 "$gwh/etc/cvmfs/keys/$repo.gw"
mkdir -p "$gwh/etc/cvmfs/gateway" "$gwh/etc/cvmfs/notify"
printf '{\n  "version": 2,\n  "repos": ["%s"]\n}\n' "$repo" > "$gwh/etc/cvmfs/gateway/repo.json"
printf '{\n  "port": 4929,\n  "max_lease_time": 600,\n  "notify_url": "http://%s:4930/api/v1"\n}\n' "$gw_ip" \
  > "$gwh/etc/cvmfs/gateway/user.json"
# notify relays through the machine's RabbitMQ on loopback (same host, guest may log in)
printf '{"port": 4930, "testing_mode": false, "amqp": {"user": "guest", "pass": "guest", "url": "127.0.0.1", "exchange": "repository.activity", "port": 5672, "vhost": "/"}}\n' \
  > "$gwh/etc/cvmfs/notify/config.json"
CVMFS_SUITE_PREFIX="$gwh" JAVA_OPTS="-Xmx256m -Dquarkus.http.host=$gw_ip" "$bin/cvmfs_notify" > "$work/notify.log" 2>&1 &
pids+=($!)
CVMFS_SUITE_PREFIX="$gwh" JAVA_OPTS="-Xmx512m -Dquarkus.http.host=$gw_ip" "$bin/cvmfs_gateway" > "$work/gateway.log" 2>&1 &
pids+=($!)
await() {
  local url=$1 log=$2
  for _ in $(seq 1 120); do curl -fsS -o /dev/null "$url" 2>/dev/null && return 0; sleep 1; done
  tail -n 40 "$log"
  fail "no answer from $url"
}
await "http://$gw_ip:4929/api/v1/repos" "$work/gateway.log"
await "http://$gw_ip:4930/q/health/ready" "$work/notify.log"
for h in "${hosts[@]}"; do
  on "$h" curl -fsS -o /dev/null "http://$gw_ip:4929/cvmfs/$repo/.cvmfspublished" || fail "$h cannot read the repository"
  ! on "$h" curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:4929/api/v1/repos" 2>/dev/null ||
    fail "$h reaches a gateway on its own loopback: the namespace is not separate"
done
ok "gateway and notify listen on $gw_ip; the three host namespaces reach it over $bridge, and only there"
! curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:4929/api/v1/repos" 2>/dev/null ||
  fail "the gateway should not answer on loopback"

# --- publisher hosts: keys copied from the gateway host as the tutorial does -------------------
mkdir -p "$work/keys"
cp "$gwh/etc/cvmfs/keys/$repo".{crt,pub,gw} "$work/keys/"
for h in pub1 pub2; do
  on "$h" "$bin/cvmfs_server" mkfs -o root -k "$work/keys" \
    -u "gw,/var/spool/cvmfs/$repo/tmp/,http://$gw_ip:4929/api/v1" -w "http://$gw_ip:4929/cvmfs/$repo" "$repo" \
    > "$work/mkfs-$h.log" 2>&1 || { cat "$work/mkfs-$h.log"; fail "$h mkfs -u gw,..."; }
  on "$h" test -f "/etc/cvmfs/repositories.d/$repo/server.conf" || fail "$h has no /etc/cvmfs/repositories.d/$repo"
  [ -f "$work/$h/etc/cvmfs/repositories.d/$repo/server.conf" ] || fail "$h's /etc/cvmfs is not its private directory"
done
[ "$(root_paths_listing)" = "$root_paths_before" ] || fail "mkfs on a publisher host wrote to the root namespace"
ok "both publisher hosts set up against http://$gw_ip:4929/api/v1, each in its own /etc/cvmfs and /var/spool/cvmfs"

revision=$(on front curl -fsS "http://$gw_ip:4929/cvmfs/$repo/.cvmfspublished" | tr -d '\000' | sed -n 's/^S\([0-9]*\)$/\1/p' | head -n 1)
on front timeout 180 "$bin/cvmfs_swissknife" notify -s -u "http://$gw_ip:4930/api/v1/subscribe" -t "$repo" -m "$revision" \
  > "$work/subscribe.log" 2>&1 &
subscriber=$!
pids+=("$subscriber")

for h in pub1 pub2; do
  out=$(on "$h" "$bin/cvmfs_server" transaction "$repo/$h" 2>&1) || { echo "$out"; fail "$h transaction $repo/$h"; }
  tree=$(sed -n 's/.* open in \(.*\) (revision .*/\1/p' <<<"$out")
  [ "$tree" = "/cvmfs/$repo/$h" ] || fail "$h: the transaction is not open at /cvmfs/$repo/$h: $out"
  # written on the publisher host, where /cvmfs/REPO/PATH is the bind-mounted working tree
  on "$h" sh -c 'echo "written on $1" > "$2/host.txt" && head -c 200000 /dev/urandom > "$2/random.bin" &&
                 sha1sum < "$2/random.bin" | cut -d" " -f1' _ "$h" "$tree" > "$work/$h.sha1" || fail "$h: writing $tree"
done
ok "two transactions open at once on disjoint paths /pub1 and /pub2"

publishers=()
for h in pub1 pub2; do
  on "$h" "$bin/cvmfs_server" publish -m "from $h" "$repo" > "$work/publish-$h.log" 2>&1 &
  publishers+=($!)
  pids+=($!)
done
for i in 0 1; do
  wait "${publishers[$i]}" || { cat "$work/publish-pub$((i + 1)).log"; fail "pub$((i + 1)) publish"; }
done
ok "both publishers published at the same time through the gateway"

# --- frontend ---------------------------------------------------------------------------------
on front "$bin/cvmfs_server" check -k "$work/keys/$repo.pub" "http://$gw_ip:4929/cvmfs/$repo" > "$work/check.log" 2>&1 ||
  { cat "$work/check.log"; fail "cvmfs_server check from the frontend"; }
for h in pub1 pub2; do
  text=$(on front "$bin/cvmfs_server" cat -k "$work/keys/$repo.pub" "http://$gw_ip:4929/cvmfs/$repo" "/$h/host.txt")
  [ "$text" = "written on $h" ] || fail "/$h/host.txt reads '$text'"
  sum=$(on front "$bin/cvmfs_server" cat -k "$work/keys/$repo.pub" "http://$gw_ip:4929/cvmfs/$repo" "/$h/random.bin" | sha1sum | cut -d' ' -f1)
  [ "$sum" = "$(cat "$work/$h.sha1")" ] || fail "/$h/random.bin differs"
done
ok "the frontend sees both publications, byte for byte, and the repository passes cvmfs_server check"
wait "$subscriber" || { cat "$work/subscribe.log"; fail "the frontend got no notification above revision $revision"; }
ok "the frontend's subscriber received a revision above $revision from $gw_ip:4930"

# --- Conveyor: a private broker and the job server on the gateway host, jobs from the frontend ---
if $conveyor; then
  port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
  rabbit_dist_port=$((30000 + RANDOM % 20000)); while ! port_free "$rabbit_dist_port"; do rabbit_dist_port=$((30000 + RANDOM % 20000)); done
  mkdir -p "$work/rabbit/log"
  # the broker user of the test's own, made at the node's first boot
  broker_pass=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
  printf 'listeners.tcp.1 = %s:5672\ndefault_user = conveyor\ndefault_pass = %s\n' "$gw_ip" "$broker_pass" \
    > "$work/rabbit/rabbitmq.conf"
  echo '[].' > "$work/rabbit/enabled_plugins"
  : > "$work/rabbit/rabbitmq-env.conf"
  echo '[].' > "$work/rabbit/advanced.config"
  # in its own directory: a node stopped by the cleanup may leave an Erlang dump in its cwd
  (cd "$work/rabbit" && rabbit_env /usr/lib/rabbitmq/bin/rabbitmq-server) > "$work/rabbit/log/console.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 120); do (exec 3<>"/dev/tcp/$gw_ip/5672") 2>/dev/null && break; sleep 1; done
  (exec 3<>"/dev/tcp/$gw_ip/5672") 2>/dev/null || { tail -n 30 "$work/rabbit/log/console.log"; fail "private RabbitMQ on $gw_ip"; }
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $database" >/dev/null || fail "create database $database"
  # a free port rather than 8080: a listener on 0.0.0.0:8080 elsewhere on the machine would collide
  conveyor_port=$((30000 + RANDOM % 20000)); while ! port_free "$conveyor_port"; do conveyor_port=$((30000 + RANDOM % 20000)); done
  # the gateway host's config.toml: the tutorial's config_gw.toml with this host's names
  mkdir -p "$gwh/etc/cvmfs/conveyor"
  sed -e "s/^host = \"localhost\"/host = \"$gw_ip\"/" -e 's/^username = "guest"/username = "conveyor"/' \
      -e "s/^password = \"guest\"/password = \"$broker_pass\"/" -e "s/^database = \"cvmfs\"/database = \"$database\"/" \
      "$suite/deploy/conveyor/gateway.toml" > "$gwh/etc/cvmfs/conveyor/config.toml"
  # PostgreSQL stays on loopback, where the gateway host reaches it (trust: the password is unused)
  sed -i -e '/^\[db\]/,/^\[/ s/^host = .*/host = "127.0.0.1"/' \
         -e "/^\[server\]/,/^\[/ s/^port = .*/port = $conveyor_port/" "$gwh/etc/cvmfs/conveyor/config.toml"
  JAVA_OPTS="-Xmx256m -Dquarkus.http.host=$gw_ip" "$bin/conveyor" server -c "$gwh/etc/cvmfs/conveyor/config.toml" \
    > "$work/conveyor-server.log" 2>&1 &
  pids+=($!)
  await "http://$gw_ip:$conveyor_port/q/health/ready" "$work/conveyor-server.log"
  ok "Conveyor server on $gw_ip:$conveyor_port with a private broker (user conveyor) and database $database"

  # the frontend's config.toml: the tutorial's config_front.toml, gateway host named by address
  mkdir -p "$work/front/etc/cvmfs/conveyor"
  sed -e "s/cvm19-gw-\$ID.cern.ch/$gw_ip/" -e 's/^username = "guest"/username = "conveyor"/' \
      -e "s/^password = \"guest\"/password = \"$broker_pass\"/" \
      -e "/^\[server\]/,/^\[/ s/^port = .*/port = $conveyor_port/" "$suite/deploy/conveyor/frontend.toml" \
      > "$work/front/etc/cvmfs/conveyor/config.toml"
  front_conf="$work/front/etc/cvmfs/conveyor/config.toml"
  job=$(on front "$bin/conveyor" -c "$front_conf" submit --repo "$repo" --lease-path /conveyor 2>"$work/submit.err" |
        tail -n 1 | sed -n 's/.*"job_id":"\([^"]*\)".*/\1/p')
  [ -n "$job" ] || { cat "$work/submit.err"; fail "conveyor submit from the frontend printed no job id"; }
  on front "$bin/conveyor" -c "$front_conf" check --ids "$job" > "$work/check-job.out" 2> "$work/check-job.err" ||
    { cat "$work/check-job.out" "$work/check-job.err"; fail "conveyor check from the frontend"; }
  grep -q "\"job_id\":\"$job\"" "$work/check-job.err" "$work/check-job.out" ||
    { cat "$work/check-job.out" "$work/check-job.err"; fail "job $job unknown to the server"; }
  ok "the frontend submitted job $job to $gw_ip:$conveyor_port and the server knows it"
fi

# --- Conveyor workers on the publisher hosts, the tutorial's jobs from the frontend ---------------
if $conveyor && [ -d "$suite/conveyor-worker/src/main/java" ]; then
  # the tutorial's payload (deploy/lib/tutorial-jobs.sh), served by a staging HTTP server on the
  # gateway host's address
  staging="$work/staging"
  tutorial_stage_jobs "$staging"
  staging_port=$((30000 + RANDOM % 20000)); while ! port_free "$staging_port"; do staging_port=$((30000 + RANDOM % 20000)); done
  (cd "$staging" && exec python3 -m http.server --bind "$gw_ip" "$staging_port") > "$work/staging.log" 2>&1 &
  pids+=($!)
  staging_url="http://$gw_ip:$staging_port"
  await "$staging_url/test_transaction.sh" "$work/staging.log"

  # each publisher host's config.toml: the tutorial's config_publisher.toml with its names
  n=0
  for h in pub1 pub2; do
    n=$((n + 1))
    on "$h" mkdir -p /etc/cvmfs/conveyor
    sed -e "s/cvm19-gw-\$ID.cern.ch/$gw_ip/" -e 's/^username = "guest"/username = "conveyor"/' \
        -e "s/^password = \"guest\"/password = \"$broker_pass\"/" \
        -e "/^\[server\]/,/^\[/ s/^port = .*/port = $conveyor_port/" \
        -e "s/^# name = defaults to hostname/name = \"publisher-$n\"/" \
        -e "s#^temp_dir = .*#temp_dir = \"$work/$h/tmp/conveyor-worker\"#" \
        "$suite/deploy/conveyor/publisher.toml" | on "$h" tee /etc/cvmfs/conveyor/config.toml > /dev/null
    on "$h" env JAVA_OPTS="-Xmx256m" "$bin/conveyor" worker -c /etc/cvmfs/conveyor/config.toml > "$work/worker-$h.log" 2>&1 &
    pids+=($!)
  done
  for h in pub1 pub2; do
    for _ in $(seq 1 120); do on "$h" curl -fsS -o /dev/null http://127.0.0.1:8081/q/health/ready 2>/dev/null && break; sleep 1; done
    on "$h" curl -fsS -o /dev/null http://127.0.0.1:8081/q/health/ready || { tail -n 40 "$work/worker-$h.log"; fail "worker on $h not ready"; }
  done
  ok "a Conveyor worker runs on each publisher host (publisher-1, publisher-2)"

  ids=()
  for i in $(seq 0 9); do
    id_i=$(on front "$bin/conveyor" -c "$front_conf" submit --repo "$repo" --lease-path "/tool-0.$i.0" \
      --payload "$(tutorial_payload "$staging_url" "$i")" \
      2>>"$work/submit.err" | tail -n 1 | sed -n 's/.*"job_id":"\([^"]*\)".*/\1/p')
    [ -n "$id_i" ] || { cat "$work/submit.err"; fail "submit of job $i"; }
    ids+=("$id_i")
  done
  deps=$(IFS=,; echo "${ids[*]}")
  on front timeout 900 "$bin/conveyor" -c "$front_conf" submit --repo "$repo" --deps "$deps" --wait \
    > "$work/wait.out" 2>>"$work/submit.err" || { cat "$work/wait.out" "$work/submit.err"; tail -n 30 "$work/worker-pub1.log"; fail "the dependent --wait job"; }
  tail -n 1 "$work/wait.out" | grep -q '"success":true' || { cat "$work/wait.out"; fail "the dependent job did not succeed"; }
  ok "ten payload jobs and the dependent --wait job succeeded"

  on front "$bin/conveyor" -c "$front_conf" check --ids "$deps" > "$work/check-all.out" 2>&1 || { cat "$work/check-all.out"; fail "conveyor check"; }
  [ "$(grep -c '"Successful":true' "$work/check-all.out")" -eq 10 ] || { cat "$work/check-all.out"; fail "not all ten jobs report success"; }
  on front "$bin/conveyor" -c "$front_conf" check --full-status --ids "$deps" 2>/dev/null |
    grep -o '"WorkerName":"[^"]*"' | sort | uniq -c | sed 's/^/  jobs per worker: /' || true
  on front "$bin/cvmfs_server" check -k "$work/keys/$repo.pub" "http://$gw_ip:4929/cvmfs/$repo" > "$work/check2.log" 2>&1 ||
    { cat "$work/check2.log"; fail "cvmfs_server check after the jobs"; }
  for i in $(seq 0 9); do
    text=$(on front "$bin/cvmfs_server" cat -k "$work/keys/$repo.pub" "http://$gw_ip:4929/cvmfs/$repo" "/tool-0.$i.0/tool-0.$i.0/README")
    [ "$text" = "tool version 0.$i.0" ] || fail "/tool-0.$i.0 reads '$text'"
  done
  ok "the repository holds all ten unpacked archives and passes cvmfs_server check"
fi
[ "$(root_paths_listing)" = "$root_paths_before" ] ||
  fail "the publisher hosts wrote to the root namespace's ${host_paths[*]}"
for h in pub1 pub2; do
  on "$h" awk -v r="/cvmfs/" 'index($5, r) == 1 { found = 1 } END { exit found }' /proc/self/mountinfo ||
    fail "$h: a working tree is still mounted below /cvmfs"
done
ok "nothing written to the root namespace's ${host_paths[*]}; no working tree left mounted"
echo "$passed passed, 0 failed"
