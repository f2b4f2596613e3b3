#!/bin/sh
# One command per benchmark. Run from anywhere; extra arguments go to the benchmark.
#   bench/run.sh objectstore [--small-files N] [--large-files N] [--large-mib N] [--dir PATH] [--keep]
#   bench/run.sh publish [--files N] [--big-size SIZE[K|M|G]] [--dir PATH] [--keep] [--jfr DIR]
#   bench/run.sh gateway [--only leases,ingest,commit,large,nested] [--large-files N] [--nested-files N]
#                        [--nested-change N] [--idle-seconds S] [--keep] [--jvm-arg ARG]...
# Each benchmark prints its options with --help.
#   bench/run.sh notify [--url http://host:port/api/v1]
#   bench/run.sh conveyor [--jobs N] [--real-jobs M] [--dir PATH] [--keep]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
which=${1:-objectstore}
[ $# -gt 0 ] && shift
case "$which" in
  objectstore) modules=bench ;;
  publish) modules=gateway-service,cvmfs-server,bench ;;
  gateway) modules=gateway-service,bench ;;
  notify) modules=notify-service,bench ;;
  conveyor) modules=conveyor-server,conveyor-worker,gateway-service,cvmfs-server,bench ;;
  *) echo "unknown benchmark '$which' (known: objectstore, publish, gateway, notify, conveyor)" >&2; exit 2 ;;
esac
(cd "$root" && mvn -B -q -o package -pl "$modules" -am -DskipTests)
cp="$root/bench/target/bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*"
case "$which" in
  objectstore) exec java -cp "$cp" org.cvmfs.suite.bench.ObjectStoreBench "$@" ;;
  publish) exec java -cp "$cp" -Dcvmfs.suite.home="$root" org.cvmfs.suite.bench.PublishBench "$@" ;;
  gateway) cd "$root" && exec java -cp "$cp" org.cvmfs.suite.bench.GatewayBench "$@" ;;
  notify) cd "$root" && exec java -cp "$cp" org.cvmfs.suite.bench.NotifyBench "$@" ;;
  conveyor) exec java -cp "$cp" -Dcvmfs.suite.home="$root" org.cvmfs.suite.bench.ConveyorBench "$@" ;;
esac
