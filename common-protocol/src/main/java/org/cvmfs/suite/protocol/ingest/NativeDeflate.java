package org.cvmfs.suite.protocol.ingest;

import java.nio.ByteBuffer;
import org.cvmfs.suite.protocol.jni.SuiteNativeLibrary;

/**
 * libdeflate's whole-buffer zlib compressor (RFC 1950, as java.util.zip writes it), through the
 * suite's JNI library ({@link SuiteNativeLibrary}, {@code src/main/c/deflate.c}).
 * Why: zlib's deflate at level 6 is the publisher's whole cost for big files and most of it for
 * small ones (issue 11: 69 % of both cores during a 256 MiB publication). At the same level
 * libdeflate compressed the benchmark's text 1.5 times as fast as zlib in pieces of 8-12 KB (as
 * many bytes out) and 2.2 times as fast in 8 MiB chunks (2.9 % more bytes out). Any zlib stream
 * inflates the same, so clients, gateways and upstream's tools read its objects as they read
 * zlib's; the bytes differ from zlib's, so an object's name does too, as between zlib versions.
 *
 * <p>The library finds libdeflate ({@code libdeflate.so.0}, Debian's {@code libdeflate0}) at run
 * time. Where the suite's library is not loaded or finds no libdeflate, {@link #available} is
 * false and content is compressed with java.util.zip.
 */
final class NativeDeflate implements AutoCloseable {
    private long compressor;

    private NativeDeflate(long compressor) {
        this.compressor = compressor;
    }

    /** Whether libdeflate is bound in this JVM; asked once, the answer kept. */
    static boolean available() {
        return Binding.BOUND;
    }

    /** A compressor at {@code level} (libdeflate's 1-12; 6 is zlib's default). */
    static NativeDeflate open(int level) {
        if (!available()) {
            throw new IllegalStateException("libdeflate is not bound in this JVM");
        }
        long handle = allocate(level);
        if (handle == 0) {
            throw new OutOfMemoryError("libdeflate could not allocate a compressor at level " + level);
        }
        return new NativeDeflate(handle);
    }

    /** Bytes that the zlib stream of {@code length} input bytes can take at most. */
    long bound(int length) {
        return bound(handle(), length);
    }

    /**
     * Compresses the first {@code length} bytes of {@code in} into {@code out} from its start, as
     * one zlib stream, and returns its size; both buffers direct, {@code out} at least
     * {@link #bound} bytes.
     */
    int compress(ByteBuffer in, int length, ByteBuffer out) {
        long size = compress(handle(), in, length, out);
        if (size <= 0) {
            throw new IllegalArgumentException("libdeflate refused " + length + " bytes into a buffer of "
                    + out.capacity() + (size < 0 ? " (not a direct buffer, or length out of range)" : " (too small)"));
        }
        return (int) size;
    }

    @Override
    public void close() {
        if (compressor != 0) {
            release(compressor);
            compressor = 0;
        }
    }

    private long handle() {
        if (compressor == 0) {
            throw new IllegalStateException("compressor already closed");
        }
        return compressor;
    }

    private static native boolean bind();

    private static native long allocate(int level);

    private static native long bound(long compressor, long length);

    private static native long compress(long compressor, ByteBuffer in, int length, ByteBuffer out);

    private static native void release(long compressor);

    /** Binds libdeflate on first use, so that a command that compresses nothing never does. */
    private static final class Binding {
        static final boolean BOUND = SuiteNativeLibrary.loaded() && bind();
    }
}
