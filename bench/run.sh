#!/bin/sh
# One command per benchmark. Run from anywhere; extra arguments go to the benchmark.
#   bench/run.sh objectstore [--small-files N] [--large-files N] [--large-mib N] [--dir PATH] [--keep]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
which=${1:-objectstore}
[ $# -gt 0 ] && shift
(cd "$root" && mvn -B -q -o package -pl bench -am -DskipTests)
cp="$root/bench/target/bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*"
case "$which" in
  objectstore) exec java -cp "$cp" org.cvmfs.suite.bench.ObjectStoreBench "$@" ;;
  *) echo "unknown benchmark '$which' (known: objectstore)" >&2; exit 2 ;;
esac
