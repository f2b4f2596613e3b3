# Sourced by every launcher in deploy/bin: finds the suite's jars and the JVM, and runs one of them.
# The suite home is $CVMFS_SUITE_HOME, else the checkout (or installation) two levels above the
# launcher, following symlinks so /usr/bin/cvmfs_server -> .../deploy/bin/cvmfs_server works.
# The JVM is $JAVA_HOME/bin/java when JAVA_HOME is set, else java on the PATH. JAVA_OPTS comes last
# on the JVM's command line, so it overrides every default chosen here.

suite_home() {
  if [ -n "${CVMFS_SUITE_HOME:-}" ]; then
    printf '%s\n' "$CVMFS_SUITE_HOME"
  else
    (cd "$(dirname "$(readlink -f "$1")")/../.." && pwd)
  fi
}

suite_java() {
  printf '%s\n' "${JAVA_HOME:+$JAVA_HOME/bin/}java"
}

# A UTF-8 locale, so that arguments and output with non-ASCII text are decoded and written as
# UTF-8. File names do not depend on it: the publisher reads and writes their bytes in any locale
# (JDK 17 ignores -Dsun.jnu.encoding; see "Names are bytes" in docs/design-notes.md).
case "${LC_ALL:-${LC_CTYPE:-${LANG:-}}}" in
  *UTF-8* | *utf8* | *UTF8* | *utf-8*) ;;
  *) export LC_ALL=C.UTF-8 ;;
esac

# ---- daemons: the Quarkus application of a module ----

# run_suite_jar TOOL MODULE [ARGS...]: exec the Quarkus jar of MODULE with ARGS. The caller may
# set SUITE_JVM_DEFAULTS (words) to the daemon's heap and GC settings; JAVA_OPTS overrides them.
run_suite_jar() {
  local tool=$1 module=$2
  shift 2
  local jar
  jar="$(suite_home "$0")/$module/target/quarkus-app/quarkus-run.jar"
  if [ ! -f "$jar" ]; then
    echo "$tool: $jar is missing; build the suite (mvn -B package -DskipTests) or set CVMFS_SUITE_HOME" >&2
    exit 1
  fi
  # SUITE_JVM_DEFAULTS and JAVA_OPTS are split into words on purpose, as in every JVM launcher.
  # shellcheck disable=SC2086
  exec "$(suite_java)" ${SUITE_JVM_DEFAULTS:-} ${JAVA_OPTS:-} -jar "$jar" "$@"
}

# ---- short-lived commands: a plain main class, class-data sharing ----
#
# A command-line tool must start like a native one (issue 11: at most 300 ms before its work).
# Booting Quarkus costs about a second, so the tools run a plain main class on a plain class path
# (the same command objects and code as the Quarkus jar), and the JVM maps the classes they load
# from a class-data-sharing archive (AppCDS) instead of parsing and verifying them on every run.
# The archive is a static one (-Xshare:dump from the list of classes a training run loaded), not
# a dynamic one (-XX:ArchiveClassesAtExit): on JDK 17 only a static archive takes classes of
# class-file version 49 and older, and picocli, which every command loads first, is compiled for
# Java 5 (a dynamic archive left its 169 classes to be parsed and verified on every run: about a
# third of a command's CPU time). A static archive holds the JDK's classes too; the JVM refuses
# one that was dumped by another JVM build or for another class path, so a stale archive is never
# used, and its name holds a fingerprint of the JVM and of every jar (name, size, time, inode) so
# that a rebuild or a JDK update leads to a new archive.
# It lives in a per-user cache ($CVMFS_SUITE_CDS_DIR, else $XDG_CACHE_HOME/cvmfs-suite, else
# ~/.cache/cvmfs-suite), never in a shared directory: the JVM trusts what it maps. The first run
# with a new class path creates it in the background (one JVM running the main class's training
# — the commands of a repository's life on a throw-away repository in $TMPDIR — to list the
# classes, a second one dumping them; written to a temporary name and renamed into place), so no
# command ever waits for it and the command itself is always exec'd (signals and kill reach the
# JVM). CVMFS_SUITE_CDS=off disables it.

# suite_user_dir [runtime]: sets SUITE_USER_DIR to the user's own directory of the suite (a
# variable, not output, so that the resident client's fast path needs no subshell):
# $XDG_RUNTIME_DIR/cvmfs-suite first when "runtime" is asked and set, else
# $XDG_CACHE_HOME/cvmfs-suite, else ~/.cache/cvmfs-suite; fails when there is none.
suite_user_dir() {
  if [ "${1:-}" = runtime ] && [ -n "${XDG_RUNTIME_DIR:-}" ]; then
    SUITE_USER_DIR=$XDG_RUNTIME_DIR/cvmfs-suite
  elif [ -n "${XDG_CACHE_HOME:-}" ]; then
    SUITE_USER_DIR=$XDG_CACHE_HOME/cvmfs-suite
  elif [ -n "${HOME:-}" ]; then
    SUITE_USER_DIR=$HOME/.cache/cvmfs-suite
  else
    return 1
  fi
}

# suite_cds_dir: prints the archive directory, creating it; fails when there is none to use.
suite_cds_dir() {
  local dir=${CVMFS_SUITE_CDS_DIR:-}
  if [ -z "$dir" ]; then
    suite_user_dir || return 1
    dir=$SUITE_USER_DIR
  fi
  mkdir -p "$dir" 2>/dev/null && [ -w "$dir" ] && [ -O "$dir" ] && printf '%s\n' "$dir"
}

# suite_cds_options NAME CLASSPATH MAIN_CLASS [TRAINING_ARGS...]: prints the JVM options that map
# the archive of CLASSPATH (nothing when there is none yet or CDS is off); when there is none,
# starts its creation in the background by running MAIN_CLASS TRAINING_ARGS once (at low
# priority), which should load the classes that real commands load. The JVM options of the
# command ($SUITE_CLI_JVM_DEFAULTS, $SUITE_JVM_DEFAULTS) are the dump's too: an archive is only
# mapped by a JVM whose heap layout matches the one that wrote it.
suite_cds_options() {
  local name=$1 classpath=$2 main=$3
  shift 3
  [ "${CVMFS_SUITE_CDS:-on}" = off ] && return 0
  local dir java fingerprint archive jars
  dir=$(suite_cds_dir) || return 0
  java=$(suite_java)
  IFS=: read -r -a jars <<< "$classpath"
  # one stat and one cksum: this runs before every command
  fingerprint=$(stat -L -c '%n %s %Y %i' "$(command -v "$java")" "${jars[@]}" 2>/dev/null | cksum)
  archive=$dir/$name-${fingerprint%% *}.jsa
  if [ -f "$archive" ]; then
    printf '%s\n' "-XX:SharedArchiveFile=$archive -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"
    return 0
  fi
  # one training at a time per archive; a lock left by a killed training expires after 10 minutes
  find "$archive.lock" -maxdepth 0 -mmin +10 -exec rmdir {} \; 2>/dev/null || true
  mkdir "$archive.lock" 2>/dev/null || return 0
  (
    trap 'rmdir "$archive.lock"; rm -f "$tmp" "$tmp.classes"' EXIT
    tmp=$(mktemp "$dir/.$name-XXXXXX") || exit 0
    # shellcheck disable=SC2086
    if nice "$java" $SUITE_CLI_JVM_DEFAULTS ${SUITE_JVM_DEFAULTS:-} -XX:DumpLoadedClassList="$tmp.classes" \
          -cp "$classpath" "$main" "$@" && [ -s "$tmp.classes" ] &&
        nice "$java" $SUITE_CLI_JVM_DEFAULTS ${SUITE_JVM_DEFAULTS:-} -Xshare:dump -Xlog:cds=off -Xlog:cds+dynamic=off \
          -XX:SharedClassListFile="$tmp.classes" -XX:SharedArchiveFile="$tmp" -cp "$classpath" && [ -s "$tmp" ]; then
      mv -f "$tmp" "$archive"
    fi
  ) </dev/null >/dev/null 2>&1 &
  return 0
}

# suite_app_classpath MODULE [PREFIX...]: the class path of MODULE's packaged application without
# the Quarkus boot jar: its own jar first, then its libraries. SLF4J is left out, so that the
# libraries that log (sqlite-jdbc) fall back to java.util.logging instead of looking for Quarkus'
# log manager. With PREFIXes, only the libraries whose file names start with one of them: a class
# the JVM looks for and does not find makes it open every jar of the class path (picocli asks for
# Groovy's Closure at its first use: some 150 jars, 50 ms), so a short command that needs a few
# libraries names them.
suite_app_classpath() {
  local app=$1/target/quarkus-app cp="" jar name prefix keep
  shift
  for jar in "$app"/app/*.jar; do
    [ -f "$jar" ] && cp=${cp:+$cp:}$jar
  done
  for jar in "$app"/lib/main/*.jar; do
    name=${jar##*/}
    case "$name" in
      org.slf4j.* | org.jboss.slf4j.*) continue ;;
    esac
    keep=yes
    if [ $# -gt 0 ]; then
      keep=no
      for prefix in "$@"; do
        case "$name" in "$prefix"*) keep=yes ;; esac
      done
    fi
    [ $keep = yes ] && [ -f "$jar" ] && cp=${cp:+$cp:}$jar
  done
  printf '%s\n' "$cp"
}

# SUITE_CLI_JVM_DEFAULTS: JVM options of the command-line tools. The serial collector starts
# fastest and needs no helper threads; the publisher's heap stays small because it streams files.
# JVM warnings go to stderr (the JVM's default is stdout, where cvmfs_server cat writes data).
SUITE_CLI_JVM_DEFAULTS="-XX:+UseSerialGC -Xlog:disable -Xlog:all=warning:stderr"

# run_suite_main TOOL MODULE MAIN_CLASS [ARGS...]: exec MAIN_CLASS of MODULE's packaged application
# on a plain class path (no Quarkus boot), with class-data sharing. The CDS archive is trained by
# MAIN_CLASS --class-data-sharing-training DIR (org.cvmfs.suite.server.Main, ConveyorCli). The
# caller may set SUITE_JVM_DEFAULTS (words) to options of its own; JAVA_OPTS overrides them; and
# SUITE_MAIN_LIBRARIES (words) to the prefixes of the only libraries the command needs. The user's
# suite directory goes to the command as -Dcvmfs.suite.cache (the SQLite driver's native library
# is kept there: org.cvmfs.suite.protocol.sqlite.SqliteNativeLibrary).
run_suite_main() {
  local tool=$1 module=$2 main=$3
  shift 3
  local home cp cds cache
  local cache_opt=()
  home=$(suite_home "$0")
  if [ ! -f "$home/$module/target/quarkus-app/quarkus-run.jar" ]; then
    echo "$tool: $home/$module/target/quarkus-app is missing; build the suite (mvn -B package -DskipTests) or set CVMFS_SUITE_HOME" >&2
    exit 1
  fi
  # shellcheck disable=SC2086
  cp=$(suite_app_classpath "$home/$module" ${SUITE_MAIN_LIBRARIES:-})
  cds=$(suite_cds_options "$module" "$cp" "$main" --class-data-sharing-training "${TMPDIR:-/tmp}")
  cache=$(suite_cds_dir) && cache_opt=("-Dcvmfs.suite.cache=$cache")
  # shellcheck disable=SC2086
  exec "$(suite_java)" $SUITE_CLI_JVM_DEFAULTS ${SUITE_JVM_DEFAULTS:-} $cds ${cache_opt[@]+"${cache_opt[@]}"} ${JAVA_OPTS:-} \
    -cp "$cp" "$main" "$@"
}

# ---- resident clients: a command served by a JVM that stays up ----
#
# A tool that CI scripts call once per item (conveyor submit in a loop) would pay for a JVM on
# every call. Its resident client (org.cvmfs.suite.conveyor.server.cli.ResidentClient) is one JVM
# per user and suite home that runs the same command code for the launcher, which talks to it
# with bash's /dev/tcp: the fast path below starts no process at all (no dirname, no stat, no cat;
# only builtins and redirections), so a call costs milliseconds. Trust: the resident client
# listens on 127.0.0.1 only and wants the random token of its state file, which only the user can
# read (mode 0600 in a directory of mode 0700). The state lives in $XDG_RUNTIME_DIR/cvmfs-suite/
# resident, else $XDG_CACHE_HOME/cvmfs-suite/resident, else ~/.cache/cvmfs-suite/resident, one
# file per suite home ("PORT TOKEN PID BUILD"); the resident client removes it when it exits.

# suite_resident_home BIN_DIR: sets SUITE_RESIDENT_HOME to the suite home, symbolic links of its
# directories resolved, with builtins only (cd -P in this shell, then back).
suite_resident_home() {
  local here=$PWD
  SUITE_RESIDENT_HOME=${CVMFS_SUITE_HOME:-$1/../..}
  if builtin cd -P -- "$SUITE_RESIDENT_HOME" 2>/dev/null; then
    SUITE_RESIDENT_HOME=$PWD
    builtin cd -- "$here" || return 1
  fi
}

# suite_resident_state NAME HOME: sets SUITE_RESIDENT_STATE to the state file of NAME's resident
# client of the suite in HOME (a 32-bit FNV-1a hash of HOME in its name); fails without a home
# directory to keep it in.
suite_resident_state() {
  local name=$1 home=$2 i c h=2166136261
  suite_user_dir runtime || return 1
  for ((i = 0; i < ${#home}; i++)); do
    printf -v c '%d' "'${home:i:1}"
    h=$(( ((h ^ c) * 16777619) & 0xFFFFFFFF ))
  done
  SUITE_RESIDENT_STATE=$SUITE_USER_DIR/resident/$name-$h.state
}

# run_suite_resident STATE HOME ARGS...: runs ARGS in the resident client of STATE and exits with
# its exit code; returns (status 1) when none answered or it refused the request before running
# anything (no state file of this user, connection refused, a rebuilt suite, a stale token): the caller then
# runs the command in a JVM of its own. Sent along: HOME, the working directory, and the
# NAME=VALUE entries of the array SUITE_RESIDENT_ENV (the environment the command may read). Once
# the resident client has started the command, a connection that ends before the exit code is an
# error (exit 1), never a reason to run the command again.
run_suite_resident() {
  local state=$1 home=$2 port token rest fd line rc="" started=no
  shift 2
  [ -O "$state" ] || return 1
  { read -r port token rest < "$state"; } 2>/dev/null || return 1
  { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  # a resident client that closes the connection must not kill this shell with SIGPIPE
  trap '' PIPE
  printf '%s\n' "$token" >&"$fd" 2>/dev/null
  printf '%s\0' "$home" "$PWD" "${#SUITE_RESIDENT_ENV[@]}" ${SUITE_RESIDENT_ENV[@]+"${SUITE_RESIDENT_ENV[@]}"} "$#" "$@" \
    >&"$fd" 2>/dev/null
  while IFS= read -r -u "$fd" line; do
    case $line in
      s) started=yes ;;
      o*) printf '%s\n' "${line:1}" ;;
      O*) printf '%s' "${line:1}" ;;
      e*) printf '%s\n' "${line:1}" >&2 ;;
      E*) printf '%s' "${line:1}" >&2 ;;
      x*) rc=${line:1}; break ;;
      *) break ;;
    esac
  done
  exec {fd}>&-
  trap - PIPE
  [ -n "$rc" ] && exit "$rc"
  if [ $started = yes ]; then
    echo "${0##*/}: the resident client ended the connection before the command finished; it may have taken effect" \
      "(a job may be submitted): check before running it again (CONVEYOR_CLIENT_DAEMON=off runs without the resident client)" >&2
    exit 1
  fi
  return 1
}

# start_suite_resident STATE HOME MODULE MAIN TRAINING_MAIN: starts MAIN STATE HOME (the resident client) of
# MODULE's packaged application in the background, detached (its own session, stdio on /dev/null,
# working directory /), so that it never holds the caller's pipes or terminal; at most one start
# at a time per STATE (a STATE.starting directory, which the resident client removes once it
# listens; a start left over by a killed one expires after a minute). Class path, JVM options and
# class-data-sharing archive are those of run_suite_main (trained by TRAINING_MAIN, the command's
# main class), the caller's SUITE_JVM_DEFAULTS included: for conveyor C1 only, also in the
# resident client, whose calls are short and come at once (bench/run.sh conveyor, 200 submits in
# a loop, two workers: 102 jobs/s with C1 only, 87 with C2 compiling while they came).
start_suite_resident() {
  local state=$1 home=$2 module=$3 main=$4 training=$5 cp cds
  mkdir -p "${state%/*/*}" 2>/dev/null && mkdir -m 700 "${state%/*}" 2>/dev/null
  [ -d "${state%/*}" ] && [ -O "${state%/*}" ] || return 0
  find "$state.starting" -maxdepth 0 -mmin +1 -exec rmdir {} \; 2>/dev/null
  mkdir "$state.starting" 2>/dev/null || return 0
  # shellcheck disable=SC2086
  cp=$(suite_app_classpath "$home/$module" ${SUITE_MAIN_LIBRARIES:-})
  cds=$(suite_cds_options "$module" "$cp" "$training" --class-data-sharing-training "${TMPDIR:-/tmp}")
  # shellcheck disable=SC2086
  (cd / && exec setsid -f "$(suite_java)" $SUITE_CLI_JVM_DEFAULTS ${SUITE_JVM_DEFAULTS:-} $cds \
    -cp "$cp" "$main" "$state" "$home") </dev/null >/dev/null 2>&1 || rmdir "$state.starting" 2>/dev/null
}
