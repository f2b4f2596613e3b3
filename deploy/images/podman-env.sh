# Sourced by the image and compose scripts: podman with the suite's own configuration.
# CVMFS_SUITE_CACHE (default /var/cache/cvmfs-suite) holds the base image tars and the storage.
images_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export CVMFS_SUITE_CACHE="${CVMFS_SUITE_CACHE:-/var/cache/cvmfs-suite}"
export CONTAINERS_CONF="$images_dir/containers.conf"
if [ "$CVMFS_SUITE_CACHE" = /var/cache/cvmfs-suite ]; then
  export CONTAINERS_STORAGE_CONF="$images_dir/storage.conf"
else
  mkdir -p "$CVMFS_SUITE_CACHE"
  sed "s#/var/cache/cvmfs-suite#$CVMFS_SUITE_CACHE#" "$images_dir/storage.conf" > "$CVMFS_SUITE_CACHE/storage.conf"
  export CONTAINERS_STORAGE_CONF="$CVMFS_SUITE_CACHE/storage.conf"
fi
