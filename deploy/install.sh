#!/usr/bin/env bash
# install.sh ROLE [--prefix DIR] [--gateway-host HOST] [--repo FQRN]
#
# Installs the suite's commands, systemd units and example configuration for one host role of
# the tutorial, the way a package would:
#   gateway    cvmfs_gateway, cvmfs_notify, cvmfs_server, cvmfs_swissknife, conveyor;
#              cvmfs-gateway.service, cvmfs-notify.service, conveyor-server@.service;
#              /etc/cvmfs/gateway/{repo,user}.json, /etc/cvmfs/notify/config.json,
#              /etc/cvmfs/conveyor/config.toml
#   publisher  cvmfs_server, cvmfs_swissknife, conveyor; conveyor-worker@.service;
#              /etc/cvmfs/conveyor/config.toml
#   frontend   conveyor, cvmfs_swissknife, cvmfs_server (ls/cat/check over HTTP);
#              /etc/cvmfs/conveyor/config.toml, /etc/cvmfs/config.d/FQRN.conf (the client's)
# Launchers are symbolic links PREFIX/usr/bin/NAME -> this checkout's deploy/bin/NAME (they find
# the jars through the link; build first with `mvn -B package -DskipTests`); units go to
# PREFIX/etc/systemd/system; configuration goes below PREFIX/etc/cvmfs and an existing file is
# never overwritten (like a package's noreplace config). Running it again changes nothing else.
#
# --prefix DIR        install below DIR instead of / (tests); the units' /usr/bin and /etc/cvmfs
#                     paths then point below DIR too
# --gateway-host HOST replaces the tutorial's placeholder cvm19-gw-$ID.cern.ch in the examples
# --repo FQRN         the repository of the frontend's client configuration (cvm19.cern.ch)
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2; exit 2; }

deploy="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
role="" prefix="/" gateway_host="" repo="cvm19.cern.ch"
while [ $# -gt 0 ]; do
  case "$1" in
    gateway | publisher | frontend) role=$1 ;;
    --prefix) prefix=${2:?--prefix needs a directory}; shift ;;
    --prefix=*) prefix=${1#*=} ;;
    --gateway-host) gateway_host=${2:?--gateway-host needs a host name}; shift ;;
    --gateway-host=*) gateway_host=${1#*=} ;;
    --repo) repo=${2:?--repo needs a repository name}; shift ;;
    --repo=*) repo=${1#*=} ;;
    -h | --help) usage ;;
    *) echo "install.sh: unknown argument '$1'" >&2; usage ;;
  esac
  shift
done
[ -n "$role" ] || { echo "install.sh: which role? gateway, publisher or frontend" >&2; usage; }
# names go into file names and sed expressions: letters, digits, dots, dashes only
[[ "$repo" =~ ^[A-Za-z0-9][A-Za-z0-9.-]*$ ]] || { echo "install.sh: bad repository name '$repo'" >&2; exit 2; }
[[ -z "$gateway_host" || "$gateway_host" =~ ^[A-Za-z0-9][A-Za-z0-9.:-]*$ ]] ||
  { echo "install.sh: bad gateway host name '$gateway_host'" >&2; exit 2; }
mkdir -p "$prefix"
prefix="$(cd "$prefix" && pwd)"
root="${prefix%/}"   # "" for /

case "$role" in
  gateway)
    launchers=(cvmfs_gateway cvmfs_notify cvmfs_server cvmfs_swissknife conveyor)
    units=(cvmfs-gateway.service cvmfs-notify.service conveyor-server@.service)
    configs=("gateway/repo.json:gateway/repo.json" "gateway/user.json:gateway/user.json"
             "notify/config.json:notify/config.json" "conveyor/gateway.toml:conveyor/config.toml") ;;
  publisher)
    launchers=(cvmfs_server cvmfs_swissknife conveyor)
    units=(conveyor-worker@.service)
    configs=("conveyor/publisher.toml:conveyor/config.toml") ;;
  frontend)
    launchers=(conveyor cvmfs_swissknife cvmfs_server)
    units=()
    configs=("conveyor/frontend.toml:conveyor/config.toml" "frontend/cvm19.cern.ch.conf:config.d/$repo.conf") ;;
esac

# localize: the example as this host should read it (gateway host name, repository name)
localize() {
  local edits=(-e "s/cvm19\.cern\.ch/$repo/g")
  [ -z "$gateway_host" ] || edits=(-e "s/cvm19-gw-\\\$ID\.cern\.ch/$gateway_host/g" "${edits[@]}")
  sed "${edits[@]}" "$1"
}

mkdir -p "$root/usr/bin"
for name in "${launchers[@]}"; do
  target="$deploy/bin/$name"
  if [ ! -x "$target" ]; then
    echo "install.sh: $target is missing in this checkout; $name not installed" >&2
    continue
  fi
  if [ "$(readlink "$root/usr/bin/$name" 2>/dev/null)" != "$target" ]; then
    ln -sfn "$target" "$root/usr/bin/$name"
    echo "linked   $root/usr/bin/$name -> $target"
  fi
done

if [ ${#units[@]} -gt 0 ]; then
  mkdir -p "$root/etc/systemd/system"
  for unit in "${units[@]}"; do
    dest="$root/etc/systemd/system/$unit"
    relocate=()
    # below a prefix, the daemons find every host path (/srv/cvmfs, /var/spool/cvmfs) there too
    [ -z "$root" ] || relocate=(-e "s#^\[Service\]\$#[Service]\nEnvironment=CVMFS_SUITE_PREFIX=$root#")
    new=$(sed -e "s#/usr/bin/#$root/usr/bin/#g" -e "s#/etc/cvmfs/#$root/etc/cvmfs/#g" "${relocate[@]}" "$deploy/systemd/$unit")
    if [ ! -f "$dest" ] || [ "$(cat "$dest")" != "$new" ]; then
      printf '%s\n' "$new" > "$dest.new" && chmod 644 "$dest.new" && mv "$dest.new" "$dest"
      echo "unit     $dest"
    fi
  done
fi

for pair in "${configs[@]}"; do
  src="$deploy/${pair%%:*}" dest="$root/etc/cvmfs/${pair#*:}"
  if [ -e "$dest" ]; then
    echo "kept     $dest (exists)"
    continue
  fi
  mkdir -p "$(dirname "$dest")"
  localize "$src" > "$dest.new"
  chmod 644 "$dest.new"
  mv -n "$dest.new" "$dest"
  rm -f "$dest.new"
  echo "config   $dest"
done

jars_missing=false
for module in gateway-service notify-service cvmfs-server; do
  [ -f "$deploy/../$module/target/quarkus-app/quarkus-run.jar" ] || jars_missing=true
done
if $jars_missing; then
  echo "note: build the suite before starting anything: (cd $(dirname "$deploy") && mvn -B package -DskipTests)"
fi
if [ "$prefix" = / ] && [ -d /run/systemd/system ] && [ ${#units[@]} -gt 0 ]; then
  systemctl daemon-reload
fi
case "$role" in
  gateway) echo "next: cvmfs_server mkfs -o root REPO; edit $root/etc/cvmfs/gateway/repo.json; systemctl enable --now cvmfs-gateway cvmfs-notify conveyor-server@root" ;;
  publisher) echo "next: cvmfs_server mkfs -o root -k ~/keys -u gw,/var/spool/cvmfs/REPO/tmp/,http://GW:4929/api/v1 -w http://GW:4929/cvmfs/REPO REPO; systemctl enable --now conveyor-worker@root" ;;
  frontend) echo "next: copy REPO.pub to /etc/cvmfs/keys; conveyor submit --repo REPO ..." ;;
esac
