#!/bin/bash
# A publisher host's first-start steps of the tutorial in a worker container, then the Conveyor
# worker: the repository keys copied from the gateway host (its /etc/cvmfs, mounted read-only at
# /gateway-etc, as the tutorial copies ~/keys), `cvmfs_server mkfs -o root -k ~/keys -u gw,...`
# against the gateway service, then `conveyor worker`. mkfs is retried until the gateway answers.
set -euo pipefail
repo=${CVMFS_REPOSITORY:?}
gw=${CVMFS_GATEWAY_URL:-http://gateway:4929}
bin=/opt/cvmfs-suite/deploy/bin
if [ ! -f "/etc/cvmfs/repositories.d/$repo/server.conf" ]; then
  for _ in $(seq 1 180); do [ -f "/gateway-etc/keys/$repo.gw" ] && break; sleep 1; done
  mkdir -p /root/keys
  cp "/gateway-etc/keys/$repo".{crt,pub,gw} /root/keys/
  for attempt in $(seq 1 60); do
    if "$bin/cvmfs_server" mkfs -o root -k /root/keys -u "gw,/var/spool/cvmfs/$repo/tmp/,$gw/api/v1" \
         -w "$gw/cvmfs/$repo" "$repo"; then
      break
    fi
    [ "$attempt" -lt 60 ] || exit 1
    sleep 2
  done
fi
exec "$bin/conveyor" worker --config /etc/cvmfs-compose/conveyor.toml
