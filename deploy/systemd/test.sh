#!/usr/bin/env bash
# test.sh: the units of deploy/systemd started for real, by systemd, on a host installed with
# deploy/install.sh: a podman container booted with /sbin/init (image localhost/cvmfs-suite/systemd,
# made by deploy/images/base-images.sh), this checkout mounted read-only at /opt/cvmfs-suite.
# The gateway host's steps of the tutorial: install.sh gateway, cvmfs_server mkfs -o root REPO, the
# gateway key, repo.json; `systemctl start cvmfs-gateway cvmfs-notify`; the repository is served
# and a publication through the gateway (a publisher host set up in the same container) lands,
# under the units' hardening; `systemctl stop` ends both cleanly (not "failed"), and a killed
# daemon is restarted by systemd. Prints "N passed, 0 failed".
set -euo pipefail
suite="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/../.." && pwd)"
. "$suite/deploy/images/podman-env.sh"
"$suite/deploy/images/base-images.sh"
for module in gateway-service notify-service cvmfs-server; do
  [ -f "$suite/$module/target/quarkus-app/quarkus-run.jar" ] ||
    (cd "$suite" && mvn -B -q -DskipTests -pl gateway-service,notify-service,cvmfs-server -am package)
done

name="cvmfs-systemd-test-$$"
repo=systemd.cvmfs.test
passed=0
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }
fail() {
  echo "FAILED: $*" >&2
  podman exec "$name" journalctl --no-pager -n 80 2>/dev/null | tail -n 80 >&2 || true
  echo "$passed passed, 1 failed"
  exit 1
}
cleanup() { podman rm -f -t 5 "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
host() { podman exec "$name" "$@"; }

# CAP_SYS_ADMIN: root on a real host may mount, and the publisher bind-mounts its working tree
podman run -d --name "$name" --systemd=always --tmpfs /tmp --tmpfs /run --cap-add SYS_ADMIN \
  -v "$suite:/opt/cvmfs-suite:ro" localhost/cvmfs-suite/systemd:bookworm >/dev/null
for _ in $(seq 1 60); do
  state=$(host systemctl is-system-running 2>/dev/null || true)
  case "$state" in running | degraded) break ;; esac
  sleep 1
done
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
