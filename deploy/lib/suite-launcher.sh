# Sourced by every launcher in deploy/bin: finds the suite's jars and runs one of them.
# The suite home is $CVMFS_SUITE_HOME, else the checkout (or installation) two levels above the
# launcher, following symlinks so /usr/bin/cvmfs_server -> .../deploy/bin/cvmfs_server works.

suite_home() {
  if [ -n "${CVMFS_SUITE_HOME:-}" ]; then
    printf '%s\n' "$CVMFS_SUITE_HOME"
  else
    (cd "$(dirname "$(readlink -f "$1")")/../.." && pwd)
  fi
}

# Java decodes file names with the locale's charset: under C/POSIX every non-ASCII name would
# read as '?', and the publisher would refuse it.
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
  *UTF-8* | *utf8* | *UTF8* | *utf-8*) ;;
  *) export LC_ALL=C.UTF-8 ;;
esac

# run_suite_jar TOOL MODULE [ARGS...]: exec the Quarkus jar of MODULE with ARGS.
run_suite_jar() {
  local tool=$1 module=$2
  shift 2
  local jar
  jar="$(suite_home "$0")/$module/target/quarkus-app/quarkus-run.jar"
  if [ ! -f "$jar" ]; then
    echo "$tool: $jar is missing; build the suite (mvn -B package -DskipTests) or set CVMFS_SUITE_HOME" >&2
    exit 1
  fi
  # JAVA_OPTS is split into words on purpose, as in every JVM launcher.
  # shellcheck disable=SC2086
  exec java ${JAVA_OPTS:-} -jar "$jar" "$@"
}

# run_lean_main TOOL MODULE MAINCLASS JAR_GLOBS -- [ARGS...]: run a plain-Java main (no Quarkus
# boot) from MODULE's jar plus the named jars of its quarkus-app/lib/main, for commands that
# must start fast. Class-data sharing: the first run writes an AppCDS archive
# (-XX:ArchiveClassesAtExit, JDK 17) into the cache dir; later runs map it (-XX:SharedArchiveFile).
# The archive's name carries a checksum of the class path's jars, so a rebuild makes a new one.
run_lean_main() {
  local tool=$1 module=$2 main=$3
  shift 3
  local app home cp="" glob jar
  home="$(suite_home "$0")"
  app="$home/$module/target/quarkus-app"
  if [ ! -d "$app/app" ]; then
    echo "$tool: $app is missing; build the suite (mvn -B package -DskipTests) or set CVMFS_SUITE_HOME" >&2
    exit 1
  fi
  for jar in "$app"/app/*.jar; do cp="$cp:$jar"; done
  while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do
    for glob in "$app"/lib/main/$1; do cp="$cp:$glob"; done
    shift
  done
  [ "$#" -gt 0 ] && shift
  cp=${cp#:}
  local cache="${CVMFS_SUITE_CACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/cvmfs-suite}"
  local key
  key=$(stat -c '%n %s %Y' ${cp//:/ } 2>/dev/null | cksum | cut -d' ' -f1)
  local jsa="$cache/$tool-$key.jsa"
  local fast="-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xss512k -XX:-UsePerfData"
  if [ -f "$jsa" ]; then
    # JVM warnings (e.g. an archive that no longer matches) to stderr: stdout carries JSON lines
    # shellcheck disable=SC2086
    exec java $fast -Xlog:disable -Xlog:all=warning:stderr -XX:SharedArchiveFile="$jsa" -Xshare:auto ${JAVA_OPTS:-} -cp "$cp" "$main" "$@"
  fi
  if mkdir -p "$cache" 2>/dev/null && [ -w "$cache" ]; then
    # Concurrent first runs each dump to a name of their own and rename it into place (atomic;
    # the last one wins, a reader keeps the file it mapped). Only a run that exited 0 publishes
    # its archive: a killed run may leave a partial file, a failed one covers too few classes.
    local tmp="$jsa.tmp.$$"
    # shellcheck disable=SC2086
    java $fast -Xlog:disable -Xlog:all=error:stderr -XX:ArchiveClassesAtExit="$tmp" ${JAVA_OPTS:-} -cp "$cp" "$main" "$@"
    local rc=$?
    if [ $rc = 0 ] && [ -s "$tmp" ]; then
      mv -f "$tmp" "$jsa" 2>/dev/null
    fi
    rm -f "$tmp"
    exit $rc
  fi
  # shellcheck disable=SC2086
  exec java $fast ${JAVA_OPTS:-} -cp "$cp" "$main" "$@"
}
