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
