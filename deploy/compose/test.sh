#!/usr/bin/env bash
# test.sh: the compose file, end to end. Builds the images (deploy/images/build.sh; cached base
# images), brings the gateway host up with podman-compose on free loopback ports under a project
# name of its own, publishes into the repository from a publisher host on this machine (a
# directory prefix, cvmfs_server mkfs -u gw,... through the published gateway port), checks the
# repository over HTTP, sees the new revision arrive at a notification subscriber, then takes
# everything down with its volumes and proves nothing of the project is left.
# Prints "N passed, 0 failed" at the end; exits non-zero on the first failure.
set -euo pipefail
# `conveyor` and `cvmfs_server transaction|publish|abort` calls after the first go to the resident
# JVM the launcher starts; a test's one exits a minute after its last call instead of the default
# quarter of an hour
export CONVEYOR_CLIENT_IDLE=${CONVEYOR_CLIENT_IDLE:-60} CVMFS_SUITE_SERVER_IDLE=${CVMFS_SUITE_SERVER_IDLE:-60}
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
suite="$(cd "$here/../.." && pwd)"
. "$suite/deploy/images/podman-env.sh"
# shellcheck source=../lib/tutorial-jobs.sh
. "$suite/deploy/lib/tutorial-jobs.sh"
command -v curl >/dev/null && command -v psql >/dev/null ||
  { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q curl postgresql-client; }
command -v podman-compose >/dev/null || {
  apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q podman-compose
}

"$suite/deploy/images/build.sh"

project="cvmfs-suite-test-$$"
repo=compose.cvmfs.test
work=$(mktemp -d /tmp/cvmfs-compose-test.XXXXXX)
bin="$suite/deploy/bin"
passed=0
ok() { passed=$((passed + 1)); echo "ok $passed - $*"; }
fail() { echo "FAILED: $*" >&2; echo "$passed passed, 1 failed"; exit 1; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p; while :; do p=$((20000 + RANDOM % 30000)); port_free "$p" && { echo "$p"; return; }; done; }
export CVMFS_GATEWAY_PORT CVMFS_NOTIFY_PORT CVMFS_POSTGRES_PORT CVMFS_RABBITMQ_PORT CVMFS_CONVEYOR_PORT CVMFS_REPOSITORY=$repo
CVMFS_GATEWAY_PORT=$(free_port); CVMFS_NOTIFY_PORT=$(free_port); CVMFS_CONVEYOR_PORT=$(free_port)
CVMFS_POSTGRES_PORT=$(free_port); CVMFS_RABBITMQ_PORT=$(free_port)
compose() { podman-compose -f "$here/compose.yml" -p "$project" "$@"; }

down() {
  compose logs > "$work/compose.log" 2>&1 || true
  compose down -v >/dev/null 2>&1 || true
  # podman-compose 1.0.3 leaves the project network behind
  podman network rm -f "${project}_default" >/dev/null 2>&1 || true
  awk -v root="$work/" 'index($5, root) == 1 { print $5 }' /proc/self/mountinfo | sort -r | xargs -r -n1 umount
}
trap 'down; rm -rf "$work"' EXIT

compose up -d > "$work/up.log" 2>&1 || { cat "$work/up.log"; fail "podman-compose up"; }
gw="http://127.0.0.1:$CVMFS_GATEWAY_PORT"
notify="http://127.0.0.1:$CVMFS_NOTIFY_PORT"
await() {
  for _ in $(seq 1 120); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 1; done
  compose logs 2>&1 | tail -n 60
  fail "no answer from $1"
}
await "$gw/api/v1/repos"
ok "gateway container answers on $gw/api/v1/repos"
await "$notify/q/health/ready"
ok "notify container is ready (RabbitMQ container reached)"
curl -fsS "$gw/cvmfs/$repo/.cvmfspublished" -o /dev/null || fail "repository not served"
ok "gateway serves $repo (made by the container's first start)"
pg_isready -h 127.0.0.1 -p "$CVMFS_POSTGRES_PORT" -q ||
  for _ in $(seq 1 60); do pg_isready -h 127.0.0.1 -p "$CVMFS_POSTGRES_PORT" -q && break; sleep 1; done
PGPASSWORD=password psql -h 127.0.0.1 -p "$CVMFS_POSTGRES_PORT" -U postgres -d cvmfs -tAc 'select 1' | grep -qx 1 ||
  fail "PostgreSQL container: database cvmfs with postgres/password"
ok "PostgreSQL container serves database cvmfs to postgres/password"

# the frontend: conveyor submit/check from this host against the published ports
await "http://127.0.0.1:$CVMFS_CONVEYOR_PORT/q/health/ready"
ok "conveyor-server container is ready (PostgreSQL and RabbitMQ containers reached)"
sed -e "s/cvm19-gw-\$ID.cern.ch/127.0.0.1/" -e "s/^port = 8080/port = $CVMFS_CONVEYOR_PORT/" \
    -e "s/^port = 5672/port = $CVMFS_RABBITMQ_PORT/" "$suite/deploy/conveyor/frontend.toml" > "$work/front.toml"
job=$("$bin/conveyor" -c "$work/front.toml" submit --repo "$repo" --lease-path /queued 2>"$work/submit.err" |
      tail -n 1 | sed -n 's/.*"job_id":"\([^"]*\)".*/\1/p')
[ -n "$job" ] || { cat "$work/submit.err"; fail "conveyor submit printed no job id"; }
"$bin/conveyor" -c "$work/front.toml" check --ids "$job" > "$work/check-job.out" 2> "$work/check-job.err" ||
  { cat "$work/check-job.out" "$work/check-job.err"; fail "conveyor check"; }
# queued, or already taken by a worker container: the server knows it either way
grep -q "\"job_id\":\"$job\"\|\"ID\":\"$job\"" "$work/check-job.err" "$work/check-job.out" ||
  { cat "$work/check-job.out" "$work/check-job.err"; fail "job $job unknown to the server"; }
ok "conveyor submit from the frontend: job $job recorded by the server"

# the publisher host: keys copied from the gateway container, as the tutorial copies ~/keys
gw_container=$(podman ps --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' | grep gateway | head -n 1)
mkdir -p "$work/keys"
for k in crt pub gw; do podman cp "$gw_container:/etc/cvmfs/keys/$repo.$k" "$work/keys/"; done
pub="$work/publisher"
CVMFS_SUITE_PREFIX="$pub" "$bin/cvmfs_server" mkfs -o "$(id -un)" -k "$work/keys" \
  -u "gw,$pub/var/spool/cvmfs/$repo/tmp/,$gw/api/v1" -w "$gw/cvmfs/$repo" "$repo" > "$work/mkfs.log" 2>&1 ||
  { cat "$work/mkfs.log"; fail "publisher mkfs"; }
out=$(CVMFS_SUITE_PREFIX="$pub" "$bin/cvmfs_server" transaction "$repo/compose" 2>&1) || { echo "$out"; fail "transaction"; }
tree=$(sed -n 's/.* open in \(.*\) (revision .*/\1/p' <<<"$out")
[ -d "$tree" ] || fail "transaction did not say where to write: $out"
echo "published through the compose gateway" > "$tree/hello.txt"
revision=$(curl -fsS "$gw/cvmfs/$repo/.cvmfspublished" | tr -d '\000' | sed -n 's/^S\([0-9]*\)$/\1/p' | head -n 1)
[ -n "$revision" ] || fail "no revision in the served manifest"
timeout 120 "$bin/cvmfs_swissknife" notify -s -u "$notify/api/v1/subscribe" -t "$repo" -m "$revision" > "$work/subscribe.log" 2>&1 &
subscriber=$!
sleep 2
CVMFS_SUITE_PREFIX="$pub" "$bin/cvmfs_server" publish -m compose "$repo" > "$work/publish.log" 2>&1 ||
  { cat "$work/publish.log"; fail "publish through the gateway container"; }
ok "publisher host published $repo/compose through the gateway container"
"$bin/cvmfs_server" check -k "$work/keys/$repo.pub" "$gw/cvmfs/$repo" > "$work/check.log" 2>&1 ||
  { cat "$work/check.log"; fail "cvmfs_server check"; }
content=$("$bin/cvmfs_server" cat -k "$work/keys/$repo.pub" "$gw/cvmfs/$repo" /compose/hello.txt)
[ "$content" = "published through the compose gateway" ] || fail "read back: $content"
ok "repository passes cvmfs_server check and serves the file"
wait "$subscriber" || { cat "$work/subscribe.log"; fail "no notification above revision $revision"; }
ok "notification subscriber saw the revision after $revision (gateway -> notify -> RabbitMQ container)"

# the tutorial's Conveyor jobs from this host, run by the two worker containers
if podman image exists localhost/cvmfs-suite/conveyor-worker:latest; then
  # the staging server for the payloads, on the project network's gateway address of this host
  bridge_ip=$(podman network inspect "${project}_default" --format '{{range .Subnets}}{{.Gateway}}{{end}}')
  staging="$work/staging"
  tutorial_stage_jobs "$staging"
  staging_port=$(free_port)
  (cd "$staging" && exec python3 -m http.server --bind "$bridge_ip" "$staging_port") > "$work/staging.log" 2>&1 &
  staging_pid=$!
  trap 'kill $staging_pid 2>/dev/null || true; down; rm -rf "$work"' EXIT
  staging_url="http://$bridge_ip:$staging_port"
  await "$staging_url/test_transaction.sh"
  ids=()
  for i in $(seq 0 9); do
    id_i=$("$bin/conveyor" -c "$work/front.toml" submit --repo "$repo" --lease-path "/tool-0.$i.0" \
      --payload "$(tutorial_payload "$staging_url" "$i")" \
      2>>"$work/submit.err" | tail -n 1 | sed -n 's/.*"job_id":"\([^"]*\)".*/\1/p')
    [ -n "$id_i" ] || { cat "$work/submit.err"; fail "submit of job $i"; }
    ids+=("$id_i")
  done
  deps=$(IFS=,; echo "${ids[*]}")
  timeout 900 "$bin/conveyor" -c "$work/front.toml" submit --repo "$repo" --deps "$deps" --wait > "$work/wait.out" 2>>"$work/submit.err" ||
    { cat "$work/wait.out" "$work/submit.err"; compose logs worker-1 2>&1 | tail -n 40; fail "the dependent --wait job"; }
  # ... as root without CAP_SYS_ADMIN (capability 21): the publisher edited the spool's working tree
  for c in $(podman ps --filter "label=io.podman.compose.project=$project" --format '{{.Names}}' | grep worker); do
    capbnd=$(podman exec "$c" sed -n 's/^CapBnd:[[:space:]]*//p' /proc/1/status)
    [ -n "$capbnd" ] && [ $(( 0x$capbnd >> 21 & 1 )) -eq 0 ] || fail "$c may mount (CapBnd '$capbnd')"
  done
  ok "ten payload jobs and the dependent --wait job succeeded on the worker containers, which may not mount"
  "$bin/conveyor" -c "$work/front.toml" check --full-status --ids "$deps" 2>/dev/null |
    grep -o '"WorkerName":"[^"]*"' | sort | uniq -c | sed 's/^/  jobs per worker: /' || true
  "$bin/cvmfs_server" check -k "$work/keys/$repo.pub" "$gw/cvmfs/$repo" > "$work/check2.log" 2>&1 ||
    { cat "$work/check2.log"; fail "cvmfs_server check after the jobs"; }
  for i in $(seq 0 9); do
    text=$("$bin/cvmfs_server" cat -k "$work/keys/$repo.pub" "$gw/cvmfs/$repo" "/tool-0.$i.0/tool-0.$i.0/README")
    [ "$text" = "tool version 0.$i.0" ] || fail "/tool-0.$i.0 reads '$text'"
  done
  ok "the repository holds the ten unpacked archives and passes cvmfs_server check"
  kill "$staging_pid" 2>/dev/null || true
fi

down
trap 'rm -rf "$work"' EXIT
left=$( (podman ps -a --filter "label=io.podman.compose.project=$project" -q
         podman volume ls -q | grep "^${project}_" || true
         podman network ls -q | grep "^${project}_" || true) | wc -l)
[ "$left" -eq 0 ] || fail "containers, volumes or networks left: $left"
ok "down -v left no container, volume or network"
echo "$passed passed, 0 failed"
