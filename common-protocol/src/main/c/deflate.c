/*
 * The suite's JNI library, part 1: org.cvmfs.suite.protocol.ingest.NativeDeflate bound to
 * libdeflate's whole-buffer zlib compressor. libdeflate is looked up at run time (dlopen of
 * libdeflate.so.0), so this library builds without libdeflate's headers and loads on a host
 * without libdeflate, where bind() answers false and the suite compresses with java.util.zip.
 */
#include <dlfcn.h>
#include <jni.h>
#include <stddef.h>

typedef void *(*alloc_compressor_fn)(int level);
typedef size_t (*zlib_compress_fn)(void *compressor, const void *in, size_t in_nbytes, void *out,
                                   size_t out_nbytes_avail);
typedef size_t (*zlib_compress_bound_fn)(void *compressor, size_t in_nbytes);
typedef void (*free_compressor_fn)(void *compressor);

static alloc_compressor_fn alloc_compressor;
static zlib_compress_fn zlib_compress;
static zlib_compress_bound_fn zlib_compress_bound;
static free_compressor_fn free_compressor;

JNIEXPORT jboolean JNICALL
Java_org_cvmfs_suite_protocol_ingest_NativeDeflate_bind(JNIEnv *env, jclass cls) {
  void *library = dlopen("libdeflate.so.0", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    return JNI_FALSE;
  }
  alloc_compressor = (alloc_compressor_fn)dlsym(library, "libdeflate_alloc_compressor");
  zlib_compress = (zlib_compress_fn)dlsym(library, "libdeflate_zlib_compress");
  zlib_compress_bound = (zlib_compress_bound_fn)dlsym(library, "libdeflate_zlib_compress_bound");
  free_compressor = (free_compressor_fn)dlsym(library, "libdeflate_free_compressor");
  return alloc_compressor && zlib_compress && zlib_compress_bound && free_compressor ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jlong JNICALL
Java_org_cvmfs_suite_protocol_ingest_NativeDeflate_allocate(JNIEnv *env, jclass cls, jint level) {
  return (jlong)(size_t)alloc_compressor(level);
}

JNIEXPORT jlong JNICALL
Java_org_cvmfs_suite_protocol_ingest_NativeDeflate_bound(JNIEnv *env, jclass cls, jlong compressor,
                                                         jlong length) {
  if (compressor == 0 || length < 0) {
    return -1;
  }
  return (jlong)zlib_compress_bound((void *)(size_t)compressor, (size_t)length);
}

/* Returns the compressed size, 0 when it does not fit, -1 when a buffer is not direct or an
 * argument is out of range. */
JNIEXPORT jlong JNICALL
Java_org_cvmfs_suite_protocol_ingest_NativeDeflate_compress(JNIEnv *env, jclass cls, jlong compressor,
                                                            jobject in, jint length, jobject out) {
  void *in_address = (*env)->GetDirectBufferAddress(env, in);
  void *out_address = (*env)->GetDirectBufferAddress(env, out);
  jlong capacity = (*env)->GetDirectBufferCapacity(env, out);
  if (compressor == 0 || in_address == NULL || out_address == NULL || capacity < 0
      || length < 0 || length > (*env)->GetDirectBufferCapacity(env, in)) {
    return -1;
  }
  return (jlong)zlib_compress((void *)(size_t)compressor, in_address, (size_t)length, out_address,
                              (size_t)capacity);
}

JNIEXPORT void JNICALL
Java_org_cvmfs_suite_protocol_ingest_NativeDeflate_release(JNIEnv *env, jclass cls, jlong compressor) {
  if (compressor != 0) {
    free_compressor((void *)(size_t)compressor);
  }
}
