#!/usr/bin/env bash
# build.sh: every container image of the suite, into the suite's podman storage
# (CONTAINERS_CONF / CONTAINERS_STORAGE_CONF of podman-env.sh):
#   localhost/cvmfs-suite/{jre,postgres,rabbitmq}:bookworm   base-images.sh (cached tars)
#   localhost/cvmfs-suite/{gateway,notify}:latest           Jib (pom.xml here) on jre.tar
#   localhost/cvmfs-suite/conveyor-{server,worker}:latest   the same, once both are in the checkout
# Packages the suite's jars first when they are missing. With the base images cached, a run
# takes about a minute; the first run (debootstrap, apt) several.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
suite="$(cd "$here/../.." && pwd)"
. "$here/podman-env.sh"

"$here/base-images.sh"

modules=(gateway-service notify-service cvmfs-server)
images=(gateway notify)
# the Conveyor daemons, once they are in the checkout
if [ -x "$suite/deploy/bin/conveyor" ]; then
  modules+=(conveyor-server)
  images+=(conveyor-server)
  if [ -d "$suite/conveyor-worker/src/main/java" ]; then
    modules+=(conveyor-worker)
    images+=(conveyor-worker)
  fi
fi
for module in "${modules[@]}"; do
  if [ ! -f "$suite/$module/target/quarkus-app/quarkus-run.jar" ]; then
    echo "== packaging the suite (mvn -B -q package -DskipTests)" >&2
    (cd "$suite" && mvn -B -q -DskipTests -pl "$(IFS=,; echo "${modules[*]}")" -am package)
    break
  fi
done

goals=()
for image in "${images[@]}"; do goals+=("jib:buildTar@$image"); done
echo "== Jib: ${images[*]} on tar://$CVMFS_SUITE_CACHE/images/jre.tar" >&2
mkdir -p "$here/target/classes"  # Jib insists on a build output; this project has no classes
mvn -B -q -f "$here/pom.xml" -Dbase.image="tar://$CVMFS_SUITE_CACHE/images/jre.tar" "${goals[@]}"
for image in "${images[@]}"; do
  podman load -q -i "$here/target/images/$image.tar" >/dev/null
  echo "== localhost/cvmfs-suite/$image:latest" >&2
done
