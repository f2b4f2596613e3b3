/*
 * The suite's JNI library, part 2: org.cvmfs.suite.protocol.hash.NativeSha1 bound to OpenSSL's
 * SHA-1 (libcrypto), which uses the CPU's SHA instructions where there are some. libcrypto is
 * looked up at run time (dlopen of libcrypto.so.3, else .so.1.1), so this library builds without
 * OpenSSL's headers and loads on a host without it, where bind() answers 0 and the suite hashes
 * in Java instead.
 *
 * The digest state is OpenSSL's SHA_CTX, whose layout has not changed since OpenSSL 0.9: it is
 * kept in a Java byte array, so no native memory is allocated and none can leak. Every function
 * takes it and the data as arrays, pinned only for the call.
 */
#include <dlfcn.h>
#include <jni.h>
#include <stddef.h>

typedef struct {
  unsigned int h0, h1, h2, h3, h4;
  unsigned int Nl, Nh;
  unsigned int data[16];
  unsigned int num;
} sha_ctx;

typedef int (*sha1_init_fn)(sha_ctx *c);
typedef int (*sha1_update_fn)(sha_ctx *c, const void *data, size_t len);
typedef int (*sha1_final_fn)(unsigned char *md, sha_ctx *c);

static sha1_init_fn sha1_init;
static sha1_update_fn sha1_update;
static sha1_final_fn sha1_final;

/* Returns the size of the state array to give the other functions, 0 when there is no libcrypto. */
JNIEXPORT jint JNICALL
Java_org_cvmfs_suite_protocol_hash_NativeSha1_bind(JNIEnv *env, jclass cls) {
  void *library = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
  if (library == NULL) {
    library = dlopen("libcrypto.so.1.1", RTLD_NOW | RTLD_LOCAL);
  }
  if (library == NULL) {
    return 0;
  }
  sha1_init = (sha1_init_fn)dlsym(library, "SHA1_Init");
  sha1_update = (sha1_update_fn)dlsym(library, "SHA1_Update");
  sha1_final = (sha1_final_fn)dlsym(library, "SHA1_Final");
  return sha1_init && sha1_update && sha1_final ? (jint)sizeof(sha_ctx) : 0;
}

/*
 * The Java side checks the state's length and the data's range before every call. Each call
 * answers whether it hashed: an array the JVM cannot pin (it would have to copy it, out of
 * memory) or a libcrypto failure is reported, never a digest of bytes that were not read.
 */
JNIEXPORT jboolean JNICALL
Java_org_cvmfs_suite_protocol_hash_NativeSha1_start(JNIEnv *env, jclass cls, jbyteArray state) {
  sha_ctx *ctx = (*env)->GetPrimitiveArrayCritical(env, state, NULL);
  if (ctx == NULL) {
    return JNI_FALSE;
  }
  int ok = sha1_init(ctx);
  (*env)->ReleasePrimitiveArrayCritical(env, state, ctx, 0);
  return ok == 1 ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jboolean JNICALL
Java_org_cvmfs_suite_protocol_hash_NativeSha1_update(JNIEnv *env, jclass cls, jbyteArray state,
                                                     jbyteArray data, jint offset, jint length) {
  sha_ctx *ctx = (*env)->GetPrimitiveArrayCritical(env, state, NULL);
  if (ctx == NULL) {
    return JNI_FALSE;
  }
  int ok = 0;
  unsigned char *bytes = (*env)->GetPrimitiveArrayCritical(env, data, NULL);
  if (bytes != NULL) {
    ok = sha1_update(ctx, bytes + offset, (size_t)length);
    (*env)->ReleasePrimitiveArrayCritical(env, data, bytes, JNI_ABORT);
  }
  (*env)->ReleasePrimitiveArrayCritical(env, state, ctx, 0);
  return ok == 1 ? JNI_TRUE : JNI_FALSE;
}

JNIEXPORT jboolean JNICALL
Java_org_cvmfs_suite_protocol_hash_NativeSha1_finish(JNIEnv *env, jclass cls, jbyteArray state,
                                                     jbyteArray digest) {
  sha_ctx *ctx = (*env)->GetPrimitiveArrayCritical(env, state, NULL);
  if (ctx == NULL) {
    return JNI_FALSE;
  }
  int ok = 0;
  unsigned char *out = (*env)->GetPrimitiveArrayCritical(env, digest, NULL);
  if (out != NULL) {
    ok = sha1_final(out, ctx);
    (*env)->ReleasePrimitiveArrayCritical(env, digest, out, 0);
  }
  (*env)->ReleasePrimitiveArrayCritical(env, state, ctx, 0);
  return ok == 1 ? JNI_TRUE : JNI_FALSE;
}
