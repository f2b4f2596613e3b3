#!/bin/sh
# Builds the suite's JNI library (SuiteNativeLibrary: deflate.c binds libdeflate for
# NativeDeflate, sha1.c binds libcrypto's SHA-1 for NativeSha1) into DIR (Maven: the classes
# folder, so that it goes into the jar beside SuiteNativeLibrary). Without a C compiler or the
# JDK's headers, or when the compiler fails, it builds nothing and says so, and the build goes on:
# the suite then compresses with zlib whatever CVMFS_SUITE_DEFLATE_LIBRARY says (cvmfs_server
# publish warns) and hashes in Java.
#   build.sh JAVA_HOME DIR
set -eu
java_home=$1 out=$2
src=$(dirname "$0")
target="$out/org/cvmfs/suite/protocol/jni/libcvmfs_suite_native.so"
cc=${CC:-cc}
if ! command -v "$cc" >/dev/null 2>&1 || [ ! -f "$java_home/include/jni.h" ]; then
  echo "cvmfs_suite_native: no C compiler ($cc) or no $java_home/include/jni.h: not built; content is compressed with zlib and hashed in Java"
  exit 0
fi
mkdir -p "$(dirname "$target")"
if ! "$cc" -O2 -shared -fPIC -Wall -I"$java_home/include" -I"$java_home/include/linux" \
    -o "$target" "$src/deflate.c" "$src/sha1.c" -ldl; then
  rm -f "$target"
  echo "cvmfs_suite_native: $cc failed: not built; content is compressed with zlib and hashed in Java"
fi
