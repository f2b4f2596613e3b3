#!/bin/bash
# The gateway container's first-start steps of the tutorial, then the gateway itself:
# cvmfs_server mkfs -o root REPO, the gateway key REPO.gw, REPO in repo.json, user.json with
# the notification service's address. Every step is skipped when its result exists (volumes).
set -euo pipefail
repo=${CVMFS_REPOSITORY:?}
bin=/opt/cvmfs-suite/deploy/bin
if [ ! -f "/etc/cvmfs/repositories.d/$repo/server.conf" ]; then
  "$bin/cvmfs_server" mkfs -o root "$repo"
fi
if [ ! -f "/etc/cvmfs/keys/$repo.gw" ]; then
  (umask 077 && echo "plain_text key1 ${CVMFS_GATEWAY_SECRET:?}" > "/etc/cvmfs/keys/$repo.gw")
fi
mkdir -p /etc/cvmfs/gateway
[ -f /etc/cvmfs/gateway/repo.json ] || printf '{\n  "version": 2,\n  "repos": ["%s"]\n}\n' "$repo" > /etc/cvmfs/gateway/repo.json
[ -f /etc/cvmfs/gateway/user.json ] ||
  printf '{\n  "port": 4929,\n  "max_lease_time": 7200,\n  "log_level": "info",\n  "notify_url": "http://notify:4930/api/v1"\n}\n' > /etc/cvmfs/gateway/user.json
exec "$bin/cvmfs_gateway"
