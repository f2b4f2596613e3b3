#!/bin/sh
# Builds the JNI library of NativeDeflate into DIR (Maven: the classes folder, so that it goes
# into the jar beside the class). Without a C compiler or the JDK's headers it builds nothing and
# says so: the suite then compresses with java.util.zip.
#   build.sh JAVA_HOME DIR
set -eu
java_home=$1 out=$2
src=$(dirname "$0")/cvmfs_suite_deflate.c
target="$out/org/cvmfs/suite/protocol/ingest/libcvmfs_suite_deflate.so"
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1 || [ ! -f "$java_home/include/jni.h" ]; then
  echo "cvmfs_suite_deflate: no C compiler ($cc) or no $java_home/include/jni.h: not built; file content is compressed with java.util.zip"
  exit 0
fi
mkdir -p "$(dirname "$target")"
"$cc" -O2 -shared -fPIC -Wall -Werror -I"$java_home/include" -I"$java_home/include/linux" \
  -o "$target" "$src" -ldl
