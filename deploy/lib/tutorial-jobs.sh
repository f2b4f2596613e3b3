# shellcheck shell=bash
# tutorial-jobs.sh: the payload of the tutorial's Conveyor jobs (its submit_jobs.sh and
# test_transaction.sh), staged for an HTTP server. Sourced by deploy/quickstart.sh,
# deploy/netns/test.sh and deploy/compose/test.sh, so that all three submit the same ten jobs.

# tutorial_stage_jobs DIR: writes DIR/test_transaction.sh (REPO LEASE_PATH ARCHIVE_URL: unpacks
# the archive into the leased path) and DIR/archives/tool-0.I.0.tar.gz for I = 0..9, each holding
# tool-0.I.0/README ("tool version 0.I.0") and a 50 kB binary tool-0.I.0/tool. Sets
# tutorial_script_sha1, the script's sha1, which each job's payload names (the worker verifies it).
tutorial_stage_jobs() {
  local dir=$1 i src
  mkdir -p "$dir/archives"
  cat > "$dir/test_transaction.sh" <<'SCRIPT'
#!/bin/bash
# the tutorial's test_transaction.sh REPO LEASE_PATH ARCHIVE_URL: unpack an archive into the lease
# (CONVEYOR_LEASE_DIR: where the worker shows the leased path; /cvmfs/REPO/PATH where it may mount)
set -e
echo "repository $1, lease path $2, archive $3"
dir="${CONVEYOR_LEASE_DIR:-/cvmfs/$1$2}"
mkdir -p "$dir"
cd "$dir"
curl -fsS -o payload.tar.gz "$3"
tar xf payload.tar.gz
rm payload.tar.gz
SCRIPT
  src=$(mktemp -d "${TMPDIR:-/tmp}/tutorial-jobs.XXXXXX")
  for i in $(seq 0 9); do
    mkdir -p "$src/tool-0.$i.0"
    echo "tool version 0.$i.0" > "$src/tool-0.$i.0/README"
    head -c 50000 /dev/urandom > "$src/tool-0.$i.0/tool"
    tar -C "$src" -czf "$dir/archives/tool-0.$i.0.tar.gz" "tool-0.$i.0"
  done
  rm -rf "$src"
  tutorial_script_sha1=$(sha1sum < "$dir/test_transaction.sh" | cut -d' ' -f1)
}

# tutorial_payload URL I: the --payload argument of job I, DIR of tutorial_stage_jobs served at URL
tutorial_payload() {
  printf 'script|%s/test_transaction.sh?checksum=sha1:%s|%s/archives/tool-0.%s.0.tar.gz\n' \
    "$1" "$tutorial_script_sha1" "$1" "$2"
}
