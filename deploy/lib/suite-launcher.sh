# Sourced by every launcher in deploy/bin: finds the suite's jars and the JVM, and runs one of them.
# The launcher sets SUITE_BIN to its own directory first (following itself when it is a symbolic
# link, so /usr/bin/cvmfs_server -> .../deploy/bin/cvmfs_server works). The suite home is
# $CVMFS_SUITE_HOME, else the checkout (or installation) two levels above SUITE_BIN. The JVM is
# $JAVA_HOME/bin/java when JAVA_HOME is set, else java on the PATH. JAVA_OPTS comes last on the
# JVM's command line, so it overrides every default chosen here.
#
# Everything up to the exec of the JVM runs in this shell, without a process or a subshell: each
# one cost a few milliseconds before every command (issue 11: 35 ms of a cvmfs_server command went
# to readlink, dirname, mkdir, stat and cksum and the subshells around them). So the functions
# below set variables (SUITE_HOME, SUITE_JAVA, ...) rather than print their results.

# suite_home_of BIN_DIR: sets SUITE_HOME to $CVMFS_SUITE_HOME, else to BIN_DIR/../.. as an absolute
# path (BIN_DIR's trailing deploy/bin taken off, so that paths stay readable).
suite_home_of() {
  if [ -n "${CVMFS_SUITE_HOME:-}" ]; then
    SUITE_HOME=$CVMFS_SUITE_HOME
    return 0
  fi
  local bin=$1
  case "$bin" in
    /*) ;;
    .) bin=$PWD ;;
    *) bin=$PWD/$bin ;;
  esac
  case "$bin" in
    */deploy/bin) SUITE_HOME=${bin%/deploy/bin} ;;
    *) SUITE_HOME=$bin/../.. ;;
  esac
  SUITE_HOME=${SUITE_HOME:-/}
}

# suite_java: sets SUITE_JAVA to the JVM to run.
suite_java() {
  SUITE_JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java
}

# suite_fnv1a TEXT: sets SUITE_FNV1A to the 32-bit FNV-1a hash of TEXT, with builtins only.
suite_fnv1a() {
  local text=$1 i c h=2166136261
  for ((i = 0; i < ${#text}; i++)); do
    printf -v c '%d' "'${text:i:1}"
    h=$(( ((h ^ c) * 16777619) & 0xFFFFFFFF ))
  done
  SUITE_FNV1A=$h
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
  suite_home_of "$SUITE_BIN"
  suite_java
  local jar=$SUITE_HOME/$module/target/quarkus-app/quarkus-run.jar
  if [ ! -f "$jar" ]; then
    echo "$tool: $jar is missing; build the suite (mvn -B package -DskipTests) or set CVMFS_SUITE_HOME" >&2
    exit 1
  fi
  # SUITE_JVM_DEFAULTS and JAVA_OPTS are split into words on purpose, as in every JVM launcher.
  # shellcheck disable=SC2086
  exec "$SUITE_JAVA" ${SUITE_JVM_DEFAULTS:-} ${JAVA_OPTS:-} -jar "$jar" "$@"
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
# used. One archive per JVM, suite home, module and class-path choice (their FNV-1a hash names
# it); it is current when it is newer than the JVM's executable, every jar of the class path and
# the directories holding them (a rebuild, an upgrade that replaces or adds a jar, or a JDK update
# makes it stale), which the launcher tells with test -nt instead of reading every jar's size and
# time in other processes.
# It lives in a per-user cache ($CVMFS_SUITE_CDS_DIR, else $XDG_CACHE_HOME/cvmfs-suite, else
# ~/.cache/cvmfs-suite), never in a shared directory: the JVM trusts what it maps. The first run
# without a current archive creates it in the background (one JVM running the main class's
# training — the commands of a repository's life on a throw-away repository in $TMPDIR — to list
# the classes, a second one dumping them; written to a temporary name and renamed over the stale
# one, and dropped when a jar changed meanwhile), so no command ever waits for it and the command
# itself is always exec'd (signals and kill reach the JVM). Archives nobody renewed for 30 days
# are removed then. CVMFS_SUITE_CDS=off disables it.

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

# suite_cds_dir: sets SUITE_CDS_DIR to the archive directory, creating it; fails when there is
# none to use (not a directory of this user's, not writable).
suite_cds_dir() {
  local dir=${CVMFS_SUITE_CDS_DIR:-}
  if [ -z "$dir" ]; then
    suite_user_dir || return 1
    dir=$SUITE_USER_DIR
  fi
  [ -d "$dir" ] || mkdir -p "$dir" 2>/dev/null || return 1
  [ -w "$dir" ] && [ -O "$dir" ] || return 1
  SUITE_CDS_DIR=$dir
}

# suite_newer_than_class_path FILE CLASSPATH: true when FILE is newer than every jar of CLASSPATH
# and every directory holding one.
suite_newer_than_class_path() {
  local file=$1 jar jars
  IFS=: read -r -a jars <<< "$2"
  for jar in "${jars[@]}"; do
    [ "$file" -nt "$jar" ] && [ "$file" -nt "${jar%/*}" ] || return 1
  done
}

# suite_cds_options NAME CLASSPATH MAIN_CLASS [TRAINING_ARGS...]: sets SUITE_CDS_OPTIONS to the JVM
# options that map the archive of CLASSPATH (none when there is no current one or CDS is off);
# when there is none, starts its creation in the background by running MAIN_CLASS TRAINING_ARGS
# once (at low priority), which should load the classes that real commands load. The JVM options
# of the command ($SUITE_CLI_JVM_DEFAULTS, $SUITE_JVM_DEFAULTS) are the dump's too, and part of the
# archive's name: an archive is only mapped by a JVM whose heap layout matches the one that wrote it.
suite_cds_options() {
  local name=$1 classpath=$2 main=$3
  shift 3
  SUITE_CDS_OPTIONS=""
  [ "${CVMFS_SUITE_CDS:-on}" = off ] && return 0
  suite_cds_dir || return 0
  local dir=$SUITE_CDS_DIR java=$SUITE_JAVA archive
  # the executable exec will run: a name without a slash is looked up on the PATH (bash's hash table)
  case "$java" in
    */*) ;;
    *) hash "$java" 2>/dev/null && java=${BASH_CMDS[$java]:-$java} ;;
  esac
  suite_fnv1a "$java $SUITE_HOME $name ${SUITE_MAIN_LIBRARIES:-} $SUITE_CLI_JVM_DEFAULTS ${SUITE_JVM_DEFAULTS:-}"
  archive=$dir/$name-$SUITE_FNV1A.jsa
  if [ -f "$archive" ] && [ "$archive" -nt "$java" ] && suite_newer_than_class_path "$archive" "$classpath"; then
    SUITE_CDS_OPTIONS="-XX:SharedArchiveFile=$archive -Xshare:auto -Xlog:cds=off -Xlog:cds+dynamic=off"
    return 0
  fi
  # one training at a time per archive; a lock left by a killed training expires after 10 minutes
  find "$archive.lock" -maxdepth 0 -mmin +10 -exec rmdir {} \; 2>/dev/null || true
  mkdir "$archive.lock" 2>/dev/null || return 0
  (
    trap 'rmdir "$archive.lock"; rm -f "$tmp" "$tmp.classes"' EXIT
    tmp=$(mktemp "$dir/.$name-XXXXXX") || exit 0
    # the lock directory's time is when the training started: a jar newer than it may not be the one dumped
    # shellcheck disable=SC2086
    if nice "$java" $SUITE_CLI_JVM_DEFAULTS ${SUITE_JVM_DEFAULTS:-} -XX:DumpLoadedClassList="$tmp.classes" \
          -cp "$classpath" "$main" "$@" && [ -s "$tmp.classes" ] &&
        nice "$java" $SUITE_CLI_JVM_DEFAULTS ${SUITE_JVM_DEFAULTS:-} -Xshare:dump -Xlog:cds=off -Xlog:cds+dynamic=off \
          -XX:SharedClassListFile="$tmp.classes" -XX:SharedArchiveFile="$tmp" -cp "$classpath" && [ -s "$tmp" ] &&
        suite_newer_than_class_path "$archive.lock" "$classpath"; then
      mv -f "$tmp" "$archive"
      find "$dir" -maxdepth 1 -name "$name-*.jsa" -mtime +30 -delete 2>/dev/null
    fi
  ) </dev/null >/dev/null 2>&1 &
  return 0
}

# suite_app_classpath MODULE [PREFIX...]: sets SUITE_CLASSPATH to the class path of MODULE's
# packaged application without the Quarkus boot jar: its own jar first, then its libraries. SLF4J
# is left out, so that the libraries that log (sqlite-jdbc) fall back to java.util.logging instead
# of looking for Quarkus' log manager. With PREFIXes, only the libraries whose file names start
# with one of them: a class the JVM looks for and does not find makes it open every jar of the
# class path (picocli asks for Groovy's Closure at its first use: some 150 jars, 50 ms), so a short
# command that needs a few libraries names them.
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
  SUITE_CLASSPATH=$cp
}

# SUITE_CLI_JVM_DEFAULTS: JVM options of the command-line tools. The serial collector starts
# fastest and needs no helper threads; the publisher's heap stays small because it streams files
# and reuses each ingest thread's buffers. Its young generation is at most 32 MiB whatever the
# machine (by default a third of a 64th of its memory: 122 MiB on 23 GiB, 1.3 GiB on 256 GiB),
# since the garbage of a long publication touches the whole of it: a 1 GiB file left a peak
# resident set of 164 instead of 221 MiB, and 50,000 files 169 instead of 243 MiB, at the same
# speed (issue 11). A publication's heap does not grow with its number of files (its change set
# spills to the spool; 200,000 files published with -Xmx40m), but the heap's limit stays the
# JVM's, a quarter of the memory, for the repository tools: check and gc keep a set of every
# object they reach. JVM warnings go to stderr (the JVM's default is stdout, where cvmfs_server
# cat writes data).
SUITE_CLI_JVM_DEFAULTS="-XX:+UseSerialGC -XX:MaxNewSize=32m -Xlog:disable -Xlog:all=warning:stderr"

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
  local cache_opt=()
  suite_home_of "$SUITE_BIN"
  suite_java
  if [ ! -f "$SUITE_HOME/$module/target/quarkus-app/quarkus-run.jar" ]; then
    echo "$tool: $SUITE_HOME/$module/target/quarkus-app is missing; build the suite (mvn -B package -DskipTests) or set CVMFS_SUITE_HOME" >&2
    exit 1
  fi
  # shellcheck disable=SC2086
  suite_app_classpath "$SUITE_HOME/$module" ${SUITE_MAIN_LIBRARIES:-}
  suite_cds_options "$module" "$SUITE_CLASSPATH" "$main" --class-data-sharing-training "${TMPDIR:-/tmp}"
  suite_cds_dir && cache_opt=("-Dcvmfs.suite.cache=$SUITE_CDS_DIR")
  # shellcheck disable=SC2086
  exec "$SUITE_JAVA" $SUITE_CLI_JVM_DEFAULTS ${SUITE_JVM_DEFAULTS:-} $SUITE_CDS_OPTIONS ${cache_opt[@]+"${cache_opt[@]}"} \
    ${JAVA_OPTS:-} -cp "$SUITE_CLASSPATH" "$main" "$@"
}

# ---- resident JVMs: a command served by a JVM that stays up ----
#
# A tool that CI scripts call once per item (conveyor submit in a loop, cvmfs_server transaction
# and publish per change) would pay for a JVM on every call. Its resident JVM
# (org.cvmfs.suite.protocol.resident.ResidentServer) is one per user, tool and suite home that runs
# the same command code for the launcher, which talks to it with bash's /dev/tcp: the fast path
# below starts no process at all (no dirname, no stat, no cat; only builtins and redirections), so
# a call costs milliseconds. Trust: the resident JVM listens on 127.0.0.1 only and wants the random
# token of its state file, which only the user can read (mode 0600 in a directory of mode 0700).
# The state lives in $XDG_RUNTIME_DIR/cvmfs-suite/resident, else $XDG_CACHE_HOME/cvmfs-suite/resident,
# else ~/.cache/cvmfs-suite/resident, one file per tool and suite home ("PORT TOKEN PID BUILD
# UMASK"); the resident JVM removes it when it exits. What a command creates, mounts and connects
# to is the resident JVM's: so a caller uses it only from the same mount, network, user, UTS, IPC
# and PID namespaces and with the same umask (a caller in `ip netns exec`, `unshare` or a container
# gets a JVM of its own).

# suite_resident_allowed SWITCH NAME...: whether this call may go to a resident JVM, and if so
# prepares it: not when the variable named SWITCH is "off", nor when JAVA_OPTS asks for JVM
# options or a crash test's pause point (CVMFS_SUITE_TEST_PAUSE_AT) is set, both of which want a
# JVM of their own. Sets SUITE_RESIDENT_OFF to "SWITCH=off" and SUITE_RESIDENT_ENV to the
# NAME=VALUE entries of the variables NAME... that are set (what the command may read of the
# caller's environment).
suite_resident_allowed() {
  local switch=$1 name
  shift
  [ "${!switch:-on}" != off ] && [ -z "${JAVA_OPTS:-}" ] && [ -z "${CVMFS_SUITE_TEST_PAUSE_AT:-}" ] || return 1
  SUITE_RESIDENT_OFF=$switch=off
  SUITE_RESIDENT_ENV=()
  for name in "$@"; do
    [ -n "${!name+set}" ] && SUITE_RESIDENT_ENV+=("$name=${!name}")
  done
  return 0
}

# suite_resident_state NAME HOME: sets SUITE_RESIDENT_STATE to the state file of NAME's resident
# JVM for the suite in HOME (a 32-bit FNV-1a hash of HOME in its name); fails without a home
# directory to keep it in.
suite_resident_state() {
  local name=$1 home=$2
  suite_user_dir runtime || return 1
  suite_fnv1a "$home"
  SUITE_RESIDENT_STATE=$SUITE_USER_DIR/resident/$name-$SUITE_FNV1A.state
}

# suite_resident_fits PID UMASK: whether this shell runs in the namespaces of process PID and with
# umask UMASK (four octal digits), with builtins only: test -ef on the namespace links compares
# the namespaces' inodes, and the umask is read from /proc/$$/status.
suite_resident_fits() {
  local pid=$1 mask=$2 ns key value
  for ns in mnt net user uts ipc pid; do
    [ /proc/self/ns/$ns -ef "/proc/$pid/ns/$ns" ] || return 1
  done
  while read -r key value; do
    [ "$key" = Umask: ] && { [ "$value" = "$mask" ]; return; }
  done < /proc/$$/status
  return 1
}

# run_suite_resident STATE HOME ARGS...: runs ARGS in the resident JVM of STATE and exits with
# its exit code; returns (status 1) when none answered or it refused the request before running
# anything (no state file of this user, another namespace or umask, connection refused, a rebuilt
# suite, a stale token): the caller then runs the command in a JVM of its own. Sent along: HOME,
# the working directory, and the NAME=VALUE entries of the array SUITE_RESIDENT_ENV (the
# environment the command may read). Once the resident JVM has started the command, a connection
# that ends before the exit code is an error (exit 1), never a reason to run the command again;
# SUITE_RESIDENT_OFF names the setting that runs the tool without a resident JVM. Sets
# SUITE_RESIDENT_LIVES=yes when the state file names a live process, which start_suite_resident
# then does not start again (it serves other namespaces, or is closing after a rebuild).
run_suite_resident() {
  local state=$1 home=$2 port token pid build mask fd line rc="" started=no
  shift 2
  [ -O "$state" ] || return 1
  { read -r port token pid build mask < "$state"; } 2>/dev/null || return 1
  [ -d "/proc/$pid" ] && SUITE_RESIDENT_LIVES=yes
  suite_resident_fits "$pid" "$mask" 2>/dev/null || return 1
  { exec {fd}<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || return 1
  # a resident JVM that closes the connection must not kill this shell with SIGPIPE
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
    echo "${0##*/}: the resident JVM ended the connection before the command finished; it may have taken effect:" \
      "check before running it again (${SUITE_RESIDENT_OFF:-its off switch} runs without the resident JVM)" >&2
    exit 1
  fi
  return 1
}

# start_suite_resident STATE HOME MODULE MAIN TRAINING_MAIN: starts MAIN STATE HOME (the resident JVM) of
# MODULE's packaged application in the background, detached (its own session, stdio on /dev/null,
# working directory /), so that it never holds the caller's pipes or terminal; at most one start
# at a time per STATE (a STATE.starting directory, which the resident JVM removes once it
# listens; a start left over by a killed one expires after a minute), and none while the state
# file names a live process (SUITE_RESIDENT_LIVES) or MODULE is not built. Class path, JVM options and
# class-data-sharing archive are those of run_suite_main (trained by TRAINING_MAIN, the command's
# main class), the caller's SUITE_JVM_DEFAULTS included: for conveyor C1 only, also in the
# resident JVM, whose calls are short and come at once (bench/run.sh conveyor, 200 submits in
# a loop, two workers: 102 jobs/s with C1 only, 87 with C2 compiling while they came).
start_suite_resident() {
  local state=$1 home=$2 module=$3 main=$4 training=$5
  [ "${SUITE_RESIDENT_LIVES:-no}" = no ] && [ -f "$home/$module/target/quarkus-app/quarkus-run.jar" ] || return 0
  { mkdir -p "${state%/*/*}" && mkdir -m 700 "${state%/*}"; } 2>/dev/null || :
  [ -d "${state%/*}" ] && [ -O "${state%/*}" ] || return 0
  find "$state.starting" -maxdepth 0 -mmin +1 -exec rmdir {} \; 2>/dev/null
  mkdir "$state.starting" 2>/dev/null || return 0
  # shellcheck disable=SC2086
  suite_java
  suite_app_classpath "$home/$module" ${SUITE_MAIN_LIBRARIES:-}
  suite_cds_options "$module" "$SUITE_CLASSPATH" "$training" --class-data-sharing-training "${TMPDIR:-/tmp}"
  # -Xms16m -XX:-ShrinkHeapInSteps: the resident JVM collects its garbage once its commands are
  # over (ResidentServer), and the serial collector gives back what is then free only above the
  # initial heap (a 64th of the machine's memory by default) and at the first collection only a
  # tenth of it: a 10,000-file publish left 188 MiB resident 4 s later, of which 12 MiB in use
  # (98 MiB with these)
  # shellcheck disable=SC2086
  (cd / && exec setsid -f "$SUITE_JAVA" $SUITE_CLI_JVM_DEFAULTS ${SUITE_JVM_DEFAULTS:-} -Xms16m -XX:-ShrinkHeapInSteps \
    $SUITE_CDS_OPTIONS \
    -cp "$SUITE_CLASSPATH" "$main" "$state" "$home") </dev/null >/dev/null 2>&1 || rmdir "$state.starting" 2>/dev/null
}
