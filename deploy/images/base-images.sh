#!/usr/bin/env bash
# base-images.sh: the images the suite's containers start from, made from Debian's packages
# because there is no container registry to pull from:
#   jre       bookworm minbase + openjdk-17-jre-headless (+ curl, for the tutorial's payload
#             scripts): the base Jib puts the daemons on, as tar://$CVMFS_SUITE_CACHE/images/jre.tar
#   postgres  bookworm minbase + postgresql, entrypoint postgres-entrypoint.sh
#   rabbitmq  bookworm minbase + rabbitmq-server, entrypoint rabbitmq-entrypoint.sh
#   systemd   bookworm minbase + systemd + the JRE: a host booted by systemd, for the units' test
# Each is loaded into the suite's podman storage (localhost/cvmfs-suite/NAME:bookworm) and saved
# as a docker-archive under $CVMFS_SUITE_CACHE/images (default /var/cache/cvmfs-suite/images).
# The archives are the cache: an image whose archive exists is only loaded, never rebuilt
# (--rebuild forces it). Needs root, debootstrap and podman (installed with apt-get if missing).
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
. "$here/podman-env.sh"

rebuild=false
[ "${1:-}" = --rebuild ] && rebuild=true

missing=()
command -v debootstrap >/dev/null || missing+=(debootstrap)
command -v podman >/dev/null || missing+=(podman)
command -v runc >/dev/null || missing+=(runc)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi

cache="$CVMFS_SUITE_CACHE"
mkdir -p "$cache/images" "$cache/debs"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
minbase="$cache/images/bookworm-minbase.tar"

say() { printf '== %s\n' "$*" >&2; }

work=$(mktemp -d /var/tmp/cvmfs-suite-image.XXXXXX)
root="$work/root"
cleanup() {
  # a chroot's /proc is unmounted before its tree is removed
  if mountpoint -q "$root/proc" 2>/dev/null; then umount "$root/proc"; fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT

# The minbase tree, made once: later images unpack it and add their packages.
if [ ! -f "$minbase" ] || $rebuild; then
  say "debootstrap --variant=minbase bookworm ($mirror)"
  mkdir -p "$root"
  debootstrap --variant=minbase --cache-dir="$cache/debs" bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { cat "$work/debootstrap.log" >&2; exit 1; }
  tar -C "$root" -cf "$minbase.part" . && mv "$minbase.part" "$minbase"
  rm -rf --one-file-system "$root"
fi

# image NAME PACKAGES ENTRYPOINT-SCRIPT [podman import --change ...]: build and save one image
image() {
  local name=$1 packages=$2 entrypoint=$3
  shift 3
  local archive="$cache/images/$name.tar" tag="localhost/cvmfs-suite/$name:bookworm"
  if [ -f "$archive" ] && ! $rebuild; then
    podman image exists "$tag" || podman load -q -i "$archive" >/dev/null
    say "$tag from $archive"
    return
  fi
  say "building $tag: $packages"
  mkdir -p "$root"
  tar -C "$root" -xf "$minbase"
  # no service starts inside the chroot while packages are installed
  printf '#!/bin/sh\nexit 101\n' > "$root/usr/sbin/policy-rc.d"
  chmod 755 "$root/usr/sbin/policy-rc.d"
  cp /etc/resolv.conf "$root/etc/resolv.conf"
  mount -t proc proc "$root/proc"
  # shellcheck disable=SC2086  # the package list is split on purpose
  chroot "$root" /usr/bin/env DEBIAN_FRONTEND=noninteractive LC_ALL=C \
    sh -c "apt-get update -q && apt-get install -y -q --no-install-recommends $packages && apt-get clean" \
    >"$work/$name.log" 2>&1 || { tail -n 40 "$work/$name.log" >&2; exit 1; }
  umount "$root/proc"
  rm -f "$root/usr/sbin/policy-rc.d" "$root/etc/resolv.conf"
  rm -rf "$root/var/lib/apt/lists/"* "$root/var/cache/apt/"*.bin "$root/var/log/"*
  if [ -n "$entrypoint" ]; then
    install -m 755 "$here/$entrypoint" "$root/usr/local/bin/$entrypoint"
  fi
  tar -C "$root" -cf - . | podman import -q "$@" - "$tag" >/dev/null
  podman save -q --format docker-archive -o "$archive.part" "$tag"
  mv "$archive.part" "$archive"
  rm -rf --one-file-system "$root"
  say "$tag saved as $archive"
}

image jre "openjdk-17-jre-headless curl ca-certificates" "" \
  --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]'
image postgres "postgresql" postgres-entrypoint.sh \
  --change 'ENV LANG=C.UTF-8' --change 'EXPOSE 5432' \
  --change 'VOLUME /var/lib/postgresql/data' \
  --change 'ENTRYPOINT ["/usr/local/bin/postgres-entrypoint.sh"]'
# a host with systemd as its init: the units of deploy/systemd started for real (deploy/systemd/test.sh)
image systemd "systemd systemd-sysv dbus openjdk-17-jre-headless curl ca-certificates" "" \
  --change 'ENV LANG=C.UTF-8' --change 'ENV container=podman' --change 'STOPSIGNAL SIGRTMIN+3' \
  --change 'ENTRYPOINT ["/sbin/init"]'
image rabbitmq "rabbitmq-server" rabbitmq-entrypoint.sh \
  --change 'ENV LANG=C.UTF-8' --change 'EXPOSE 5672' \
  --change 'VOLUME /var/lib/rabbitmq' \
  --change 'ENTRYPOINT ["/usr/local/bin/rabbitmq-entrypoint.sh"]'
