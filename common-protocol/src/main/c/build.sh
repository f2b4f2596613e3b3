#!/bin/sh
# Builds the JNI library of NativeDeflate into DIR (Maven: the classes folder, so that it goes
# into the jar beside the class). Without a C compiler or the JDK's headers, or when the compiler
# fails, it builds nothing and says so, and the build goes on: the suite then compresses with
# zlib whatever CVMFS_SUITE_DEFLATE_LIBRARY says (cvmfs_server publish warns).
#   build.sh JAVA_HOME DIR
set -eu
java_home=$1 out=$2
src=$(dirname "$0")/cvmfs_suite_deflate.c
target="$out/org/cvmfs/suite/protocol/ingest/libcvmfs_suite_deflate.so"
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1 || [ ! -f "$java_home/include/jni.h" ]; then
  echo "cvmfs_suite_deflate: no C compiler ($cc) or no $java_home/include/jni.h: not built; file content is compressed with zlib"
  exit 0
fi
mkdir -p "$(dirname "$target")"
if ! "$cc" -O2 -shared -fPIC -Wall -I"$java_home/include" -I"$java_home/include/linux" \
    -o "$target" "$src" -ldl; then
  rm -f "$target"
  echo "cvmfs_suite_deflate: $cc failed: not built; file content is compressed with zlib"
fi
