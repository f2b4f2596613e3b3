#!/usr/bin/env bash
# test.sh: the units of deploy/systemd started for real, by systemd, on a host installed with
# deploy/install.sh: a podman container booted with /sbin/init (image localhost/cvmfs-suite/systemd,
# made by deploy/images/base-images.sh), this checkout mounted read-only at /opt/cvmfs-suite.
# The gateway host's steps of the tutorial: install.sh gateway, cvmfs_server mkfs -o root REPO, the
# gateway key, repo.json; `systemctl start cvmfs-gateway cvmfs-notify`; the repository is served
# and a publication through the gateway (a publisher host set up in the same container) lands,
# under the units' hardening; `systemctl stop` ends both cleanly (not "failed"), and a killed
# daemon is restarted by systemd. Then Conveyor as the tutorial starts it: PostgreSQL and RabbitMQ
# as containers on the gateway host's localhost (the tutorial's conveyor-services compose file;
# here images of deploy/images/base-images.sh in the host container's network namespace),
# `systemctl start conveyor-server@root` there, and on a publisher host (a second container
# booted by systemd, sharing only the network: localhost:4929 is the gateway) `install.sh
# publisher`, `cvmfs_server mkfs -u gw,...` with the default paths and `systemctl start
# conveyor-worker@root`; a job with the tutorial's test_transaction.sh payload, submitted with
# `conveyor submit --wait`, succeeds under the worker unit's hardening (no CAP_SYS_ADMIN) and
# its path is in the repository. Prints "N passed, 0 failed".
set -euo pipefail
# `conveyor` and `cvmfs_server transaction|publish|abort` calls after the first go to the resident
# JVM the launcher starts; a test's one exits a minute after its last call instead of the default
# quarter of an hour
export CONVEYOR_CLIENT_IDLE=${CONVEYOR_CLIENT_IDLE:-60} CVMFS_SUITE_SERVER_IDLE=${CVMFS_SUITE_SERVER_IDLE:-60}
suite="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
. "$suite/deploy/images/podman-env.sh"
"$suite/deploy/images/base-images.sh"
# shellcheck source=../lib/tutorial-jobs.sh
. "$suite/deploy/lib/tutorial-jobs.sh"
modules=gateway-service,notify-service,cvmfs-server,conveyor-server,conveyor-worker
for module in ${modules//,/ }; do
  [ -f "$suite/$module/target/quarkus-app/quarkus-run.jar" ] ||
    (cd "$suite" && mvn -B -q -DskipTests -pl "$modules" -am package)
done

name="cvmfs-systemd-test-$$"
publisher="$name-publisher"
work=$(mktemp -d /tmp/cvmfs-systemd-test.XXXXXX)
staging_pid=""
repo=systemd.cvmfs.test
passed=0
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }
fail() {
  echo "FAILED: $*" >&2
  podman exec "$name" journalctl --no-pager -n 80 2>/dev/null | tail -n 80 >&2 || true
  podman exec "$publisher" journalctl --no-pager -n 60 2>/dev/null | tail -n 60 >&2 || true
  echo "$passed passed, 1 failed"
  exit 1
}
cleanup() {
  [ -z "$staging_pid" ] || kill "$staging_pid" 2>/dev/null || true
  local c
  # the containers that share the host container's network first
  for c in "$publisher" "$name-postgres" "$name-rabbitmq" "$name"; do podman rm -f -t 5 "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
host() { podman exec "$name" "$@"; }
pubhost() { podman exec "$publisher" "$@"; }
# booted CONTAINER: waits until systemd in CONTAINER has booted; prints its state
booted() {
  local state=""
  for _ in $(seq 1 60); do
    state=$(podman exec "$1" systemctl is-system-running 2>/dev/null || true)
    case "$state" in running | degraded) break ;; esac
    sleep 1
  done
  echo "$state"
}

# CAP_SYS_ADMIN: systemd, as on a real host, builds each unit's mount namespace (ProtectSystem,
# PrivateTmp) and bounds the unit's capabilities; the publisher run by hand as root may mount
podman run -d --name "$name" --systemd=always --tmpfs /tmp --tmpfs /run --cap-add SYS_ADMIN \
  -v "$suite:/opt/cvmfs-suite:ro" localhost/cvmfs-suite/systemd:bookworm >/dev/null
state=$(booted "$name")
case "$state" in running | degraded) ;; *) fail "systemd did not boot in the container ($state)" ;; esac
ok "a host booted by systemd ($state)"

host /opt/cvmfs-suite/deploy/install.sh gateway > /dev/null || fail "install.sh gateway"
host systemctl cat cvmfs-gateway.service > /dev/null || fail "systemd does not know cvmfs-gateway.service"
host cvmfs_server mkfs -o root "$repo" > /dev/null || fail "cvmfs_server mkfs"
host sh -c "echo 'plain_text key1 secret_of_the_test' > /etc/cvmfs/keys/$repo.gw && chmod 600 /etc/cvmfs/keys/$repo.gw"
host sh -c "printf '{\"version\": 2, \"repos\": [\"$repo\"]}\n' > /etc/cvmfs/gateway/repo.json"
# no broker on this host: notify in upstream's testing_mode; the gateway tells it of publications
host sed -i 's/"testing_mode": false/"testing_mode": true/' /etc/cvmfs/notify/config.json
host sed -i 's#"notify_url": ""#"notify_url": "http://127.0.0.1:4930/api/v1"#' /etc/cvmfs/gateway/user.json
ok "installed as the gateway host, repository $repo made"

host systemctl start cvmfs-notify cvmfs-gateway || fail "systemctl start"
await() {
  for _ in $(seq 1 120); do host curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 1; done
  fail "no answer from $1"
}
await "http://127.0.0.1:4929/api/v1/repos"
await "http://127.0.0.1:4930/q/health/ready"
host curl -fsS -o /dev/null "http://127.0.0.1:4929/cvmfs/$repo/.cvmfspublished" || fail "repository not served"
ok "cvmfs-gateway and cvmfs-notify run under systemd and serve $repo"

caps=$(host systemctl show -p CapabilityBoundingSet --value cvmfs-gateway)
[ "$caps" = "cap_chown cap_dac_override cap_fowner" ] || fail "gateway capabilities: $caps"
pid=$(host systemctl show -p MainPID --value cvmfs-gateway)
host grep -q '^NoNewPrivs:[[:space:]]*1' "/proc/$pid/status" || fail "gateway may gain privileges"
ok "the gateway runs with its three capabilities and no new privileges"

# a publisher host in the same container, publishing through the hardened gateway
host sh -c "mkdir -p /root/keys && cp /etc/cvmfs/keys/$repo.crt /etc/cvmfs/keys/$repo.pub /etc/cvmfs/keys/$repo.gw /root/keys/"
host env CVMFS_SUITE_PREFIX=/var/tmp/publisher cvmfs_server mkfs -o root -k /root/keys \
  -u "gw,/var/tmp/publisher/var/spool/cvmfs/$repo/tmp/,http://127.0.0.1:4929/api/v1" \
  -w "http://127.0.0.1:4929/cvmfs/$repo" "$repo" > /dev/null || fail "publisher mkfs"
out=$(host env CVMFS_SUITE_PREFIX=/var/tmp/publisher cvmfs_server transaction "$repo/units") || fail "transaction: $out"
tree=$(sed -n 's/.* open in \(.*\) (revision .*/\1/p' <<<"$out")
host sh -c "echo 'published under systemd' > '$tree/unit.txt'"
host env CVMFS_SUITE_PREFIX=/var/tmp/publisher cvmfs_server publish "$repo" > /dev/null || fail "publish"
text=$(host cvmfs_server cat -k "/etc/cvmfs/keys/$repo.pub" "http://127.0.0.1:4929/cvmfs/$repo" /units/unit.txt)
[ "$text" = "published under systemd" ] || fail "read back: $text"
host cvmfs_server check -k "/etc/cvmfs/keys/$repo.pub" "http://127.0.0.1:4929/cvmfs/$repo" > /dev/null || fail "check"
ok "a publication through the gateway unit landed and the repository passes cvmfs_server check"

# --- Conveyor: backing services, conveyor-server@root here, conveyor-worker@root on a publisher host
podman run -d --name "$name-postgres" --network "container:$name" -e POSTGRES_PASSWORD=password -e POSTGRES_DB=cvmfs \
  localhost/cvmfs-suite/postgres:bookworm >/dev/null || fail "PostgreSQL container"
podman run -d --name "$name-rabbitmq" --network "container:$name" localhost/cvmfs-suite/rabbitmq:bookworm >/dev/null ||
  fail "RabbitMQ container"
for _ in $(seq 1 120); do podman exec "$name-postgres" pg_isready -q -h 127.0.0.1 -d cvmfs 2>/dev/null && break; sleep 1; done
for _ in $(seq 1 120); do host bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672' 2>/dev/null && break; sleep 1; done
host bash -c 'exec 3<>/dev/tcp/127.0.0.1/5672' 2>/dev/null || fail "RabbitMQ does not listen on the gateway host's localhost:5672"
# /etc/cvmfs/conveyor/config.toml as install.sh gateway wrote it: the tutorial's config_gw.toml
host systemctl start conveyor-server@root || fail "systemctl start conveyor-server@root"
await "http://127.0.0.1:8080/q/health/ready"
[ "$(host systemctl show -p CapabilityBoundingSet --value conveyor-server@root)" = "" ] ||
  fail "conveyor-server@root has capabilities"
ok "conveyor-server@root runs under systemd, without any capability, on PostgreSQL and RabbitMQ at localhost"

podman run -d --name "$publisher" --systemd=always --tmpfs /tmp --tmpfs /run --cap-add SYS_ADMIN --network "container:$name" \
  -v "$suite:/opt/cvmfs-suite:ro" localhost/cvmfs-suite/systemd:bookworm >/dev/null || fail "publisher host container"
state=$(booted "$publisher")
case "$state" in running | degraded) ;; *) fail "systemd did not boot in the publisher container ($state)" ;; esac
pubhost /opt/cvmfs-suite/deploy/install.sh publisher --gateway-host localhost > /dev/null || fail "install.sh publisher"
# the keys copied from the gateway host to ~/keys, as in the tutorial
pubhost mkdir -p /root/keys
for k in crt pub gw; do
  host cat "/etc/cvmfs/keys/$repo.$k" | podman exec -i "$publisher" sh -c "cat > /root/keys/$repo.$k" || fail "copying the $k key"
done
pubhost cvmfs_server mkfs -o root -k /root/keys -u "gw,/var/spool/cvmfs/$repo/tmp/,http://localhost:4929/api/v1" \
  -w "http://localhost:4929/cvmfs/$repo" "$repo" > "$work/mkfs-publisher.log" 2>&1 ||
  { cat "$work/mkfs-publisher.log"; fail "publisher host mkfs -u gw,..."; }
pubhost systemctl start conveyor-worker@root || fail "systemctl start conveyor-worker@root"
await "http://127.0.0.1:8081/q/health/ready"
wpid=$(pubhost systemctl show -p MainPID --value conveyor-worker@root)
capbnd=$(pubhost sed -n 's/^CapBnd:[[:space:]]*//p' "/proc/$wpid/status")
# CAP_SYS_ADMIN is capability 21
[ $(( 0x$capbnd >> 21 & 1 )) -eq 0 ] || fail "conveyor-worker@root may mount (CapBnd $capbnd)"
ok "conveyor-worker@root runs on the publisher host under systemd, without CAP_SYS_ADMIN (CapBnd $capbnd)"

# the tutorial's payload, served from this machine on the container network's gateway address
tutorial_stage_jobs "$work/staging"
bridge_ip=$(podman inspect "$name" --format '{{range .NetworkSettings.Networks}}{{.Gateway}}{{end}}')
[ -n "$bridge_ip" ] || fail "no gateway address on the container's network"
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
staging_port=$((30000 + RANDOM % 20000)); while ! port_free "$staging_port"; do staging_port=$((30000 + RANDOM % 20000)); done
python3 -m http.server --bind "$bridge_ip" --directory "$work/staging" "$staging_port" > "$work/staging.log" 2>&1 &
staging_pid=$!
staging_url="http://$bridge_ip:$staging_port"
await "$staging_url/test_transaction.sh"
# the frontend's step, typed on the gateway host (its config.toml names the job server at localhost)
host timeout 600 conveyor -c /etc/cvmfs/conveyor/config.toml submit --repo "$repo" --lease-path /tool-0.3.0 \
  --payload "$(tutorial_payload "$staging_url" 3)" --wait > "$work/wait.out" 2> "$work/wait.err" ||
  { cat "$work/wait.out" "$work/wait.err"; pubhost journalctl --no-pager -u conveyor-worker@root | tail -n 40; fail "conveyor submit --wait"; }
tail -n 1 "$work/wait.out" | grep -q '"success":true' || { cat "$work/wait.out"; fail "the job did not succeed"; }
text=$(host cvmfs_server cat -k "/etc/cvmfs/keys/$repo.pub" "http://127.0.0.1:4929/cvmfs/$repo" /tool-0.3.0/tool-0.3.0/README) ||
  fail "/tool-0.3.0 is not in the repository"
[ "$text" = "tool version 0.3.0" ] || fail "/tool-0.3.0/tool-0.3.0/README reads '$text'"
host cvmfs_server check -k "/etc/cvmfs/keys/$repo.pub" "http://127.0.0.1:4929/cvmfs/$repo" > "$work/check2.log" 2>&1 ||
  { cat "$work/check2.log"; fail "cvmfs_server check after the job"; }
ok "a tutorial job submitted with --wait succeeded; the repository holds /tool-0.3.0 and passes cvmfs_server check"
pubhost systemctl stop conveyor-worker@root
host systemctl stop conveyor-server@root
for unit in conveyor-worker@root conveyor-server@root; do
  if [ "$unit" = conveyor-worker@root ]; then state=$(pubhost systemctl is-active "$unit" || true); else state=$(host systemctl is-active "$unit" || true); fi
  [ "$state" = inactive ] || fail "$unit is '$state' after stop, not inactive"
done
ok "systemctl stop ends the job server and the worker cleanly (inactive, not failed)"

host systemctl kill --signal=SIGKILL cvmfs-gateway
for _ in $(seq 1 60); do
  new=$(host systemctl show -p MainPID --value cvmfs-gateway)
  [ "$new" != 0 ] && [ "$new" != "$pid" ] && break
  sleep 1
done
[ "$new" != 0 ] && [ "$new" != "$pid" ] || fail "the killed gateway was not restarted"
await "http://127.0.0.1:4929/api/v1/repos"
ok "systemd restarted the killed gateway (Restart=always)"

host systemctl stop cvmfs-gateway cvmfs-notify
for unit in cvmfs-gateway cvmfs-notify; do
  state=$(host systemctl is-active "$unit" || true)
  [ "$state" = inactive ] || fail "$unit is '$state' after stop, not inactive"
done
ok "systemctl stop ends both daemons cleanly (inactive, not failed)"
echo "$passed passed, 0 failed"
