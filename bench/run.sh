#!/bin/sh
# One command per benchmark. Run from anywhere; extra arguments go to the benchmark.
#   bench/run.sh objectstore [--small-files N] [--large-files N] [--large-mib N] [--dir PATH] [--keep]
#   bench/run.sh publish [--files N] [--flat-files N] [--big-size SIZE[K|M|G]] [--dir PATH] [--keep] [--jfr DIR]
#   bench/run.sh gateway [--only leases,ingest,commit,large,nested,connections] [--large-files N] [--nested-files N]
#                        [--nested-change N] [--idle-seconds S] [--idle-connections N] [--slow-clients M]
#                        [--idle-timeout S] [--keep] [--jvm-arg ARG]...
# Each benchmark prints its options with --help.
#   bench/run.sh notify [--url http://host:port/api/v1]
#   bench/run.sh conveyor [--jobs N] [--real-jobs M] [--dir PATH] [--keep]
#   bench/run.sh all        every benchmark above with small, quick arguments, then one table of
#                           their headline figures (the RESULT lines each prints): figure, value,
#                           the in-run baseline, the ratio, and the load average when it started
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
which=${1:-objectstore}
[ $# -gt 0 ] && shift

if [ "$which" = all ]; then
  (cd "$root" && mvn -B -q -o package -pl conveyor-server,conveyor-worker,gateway-service,notify-service,cvmfs-server,bench -am -DskipTests)
  logs=$(mktemp -d "${TMPDIR:-/tmp}/bench-all.XXXXXX")
  table="$logs/table"
  : > "$table"
  failed=""
  started=$(date +%s)
  for bench in objectstore publish gateway notify conveyor; do
    case "$bench" in
      objectstore) args="--small-files 2000 --large-files 1 --large-mib 16" ;;
      publish) args="--files 1000 --big-size 32M" ;;
      gateway) args="--only leases,ingest,large --large-files 1000" ;;
      notify) args="" ;;
      conveyor) args="--jobs 10 --real-jobs 3" ;;
    esac
    load=$(cut -d' ' -f1-3 /proc/loadavg)
    echo "== bench/run.sh $bench $args (load average $load)"
    # shellcheck disable=SC2086
    if BENCH_BUILT=yes "$0" "$bench" $args > "$logs/$bench.log" 2>&1; then :; else failed="$failed $bench"; fi
    grep -v '^RESULT ' "$logs/$bench.log" || true
    sed -n "s/^RESULT //p" "$logs/$bench.log" | while IFS= read -r line; do printf '%s|%s\n' "$line" "$load"; done >> "$table"
  done
  echo
  echo "bench/run.sh all: $(($(date +%s) - started)) s, $(nproc) cpus, java $(java -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.version = //p')"
  echo
  echo "| figure | value | in-run baseline | ratio | load average |"
  echo "|---|---|---|---|---|"
  sed 's/|/ | /g; s/^/| /; s/$/ |/' "$table"
  echo
  echo "logs: $logs"
  if [ -n "$failed" ]; then echo "failed:$failed" >&2; exit 1; fi
  exit 0
fi
case "$which" in
  objectstore) modules=bench ;;
  publish) modules=gateway-service,cvmfs-server,bench ;;
  gateway) modules=gateway-service,bench ;;
  notify) modules=notify-service,bench ;;
  conveyor) modules=conveyor-server,conveyor-worker,gateway-service,cvmfs-server,bench ;;
  *) echo "unknown benchmark '$which' (known: objectstore, publish, gateway, notify, conveyor)" >&2; exit 2 ;;
esac
[ "${BENCH_BUILT:-}" = yes ] || (cd "$root" && mvn -B -q -o package -pl "$modules" -am -DskipTests)
cp="$root/bench/target/bench-0.1.0-SNAPSHOT.jar:$root/bench/target/lib/*"
case "$which" in
  objectstore) exec java -cp "$cp" org.cvmfs.suite.bench.ObjectStoreBench "$@" ;;
  publish) exec java -cp "$cp" -Dcvmfs.suite.home="$root" org.cvmfs.suite.bench.PublishBench "$@" ;;
  gateway) cd "$root" && exec java -cp "$cp" org.cvmfs.suite.bench.GatewayBench "$@" ;;
  notify) cd "$root" && exec java -cp "$cp" org.cvmfs.suite.bench.NotifyBench "$@" ;;
  conveyor) exec java -cp "$cp" -Dcvmfs.suite.home="$root" org.cvmfs.suite.bench.ConveyorBench "$@" ;;
esac
