package org.cvmfs.suite.protocol.hash;

import org.cvmfs.suite.protocol.jni.SuiteNativeLibrary;

/**
 * SHA-1 by OpenSSL's libcrypto, through the suite's JNI library ({@link SuiteNativeLibrary},
 * {@code src/main/c/sha1.c}). Why: the launchers run every JVM of the suite with C1 only, and
 * under C1 no Java SHA-1 gets the CPU's SHA instructions; {@link Sha1Digester} hashes at about
 * 340 MB/s there, libcrypto at about 2,150 MB/s on the same machine (SHA-NI). Every object is
 * hashed twice, by the publisher that names it and by the gateway that checks it (issue 11).
 *
 * <p>The state is a byte array of OpenSSL's {@code SHA_CTX}, so an abandoned digester leaves
 * nothing behind. Where libcrypto ({@code libcrypto.so.3} or {@code .so.1.1}) or the suite's
 * library is missing, {@link #available} is false and {@link HashAlgorithm#newDigester} gives a
 * {@link Sha1Digester}: the digests are the same.
 */
final class NativeSha1 implements HashAlgorithm.Digester {
    private final byte[] state;
    private boolean finished;

    NativeSha1() {
        if (!available()) {
            throw new IllegalStateException("libcrypto's SHA-1 is not bound in this JVM");
        }
        state = new byte[Binding.STATE_SIZE];
        check(start(state), "start");
    }

    /** Whether libcrypto's SHA-1 is bound in this JVM; asked once, the answer kept. */
    static boolean available() {
        return Binding.STATE_SIZE > 0;
    }

    @Override
    public void update(byte[] data, int offset, int length) {
        if (offset < 0 || length < 0 || offset > data.length - length) {
            throw new IndexOutOfBoundsException("range " + offset + "+" + length + " of " + data.length + " bytes");
        }
        checkOpen();
        if (length > 0) {
            check(update(state, data, offset, length), "hash " + length + " bytes");
        }
    }

    @Override
    public byte[] finish() {
        checkOpen();
        finished = true;
        byte[] digest = new byte[HashAlgorithm.DIGEST_LENGTH];
        check(finish(state, digest), "finish");
        return digest;
    }

    /** A native call that did not hash (an array it could not pin, a libcrypto failure) is an error, never a wrong digest. */
    private static void check(boolean hashed, String what) {
        if (!hashed) {
            throw new IllegalStateException("libcrypto's SHA-1 could not " + what);
        }
    }

    private void checkOpen() {
        if (finished) {
            throw new IllegalStateException("digest already finished");
        }
    }

    /** The size of OpenSSL's SHA_CTX, or 0 when libcrypto is not found. */
    private static native int bind();

    private static native boolean start(byte[] state);

    private static native boolean update(byte[] state, byte[] data, int offset, int length);

    private static native boolean finish(byte[] state, byte[] digest);

    /** Binds libcrypto on first use, so that a command that hashes nothing never does. */
    private static final class Binding {
        static final int STATE_SIZE = SuiteNativeLibrary.loaded() ? bind() : 0;
    }
}
