package org.cvmfs.suite.protocol.ingest;

import java.nio.ByteBuffer;
import java.util.zip.Deflater;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * Turns a stream of content bytes into one stored object in a single pass: each block is
 * compressed (or passed through) and the output is hashed as it is produced, as upstream's
 * pipeline names objects by their stored bytes. One encoder per thread; it is reused object
 * after object so the zlib state is allocated once.
 *
 * <p>Where libdeflate is asked for and bound ({@link DeflateLibrary}), an object's content is
 * gathered in a direct buffer and compressed in one call when the object ends: every file up to
 * {@code wholeLimit} bytes (default {@value #WHOLE_LIMIT}, the default largest chunk) and so every
 * chunk of default size. Content beyond that limit (a file published unchunked, chunks of a
 * larger maximum) goes on through java.util.zip's streaming deflater, the gathered bytes first,
 * so memory stays bounded by the limit: an input buffer of at most the limit and an output
 * buffer of libdeflate's bound for it, per thread, kept for the next object.
 */
final class ObjectEncoder {
    static final int WHOLE_LIMIT = 16 << 20;
    private static final int FIRST_BUFFER = 64 * 1024;
    private final HashAlgorithm algorithm;
    private final Compression compression;
    private final Deflater deflater = new Deflater(Zlib.LEVEL);
    private final byte[] output = new byte[64 * 1024];
    /** libdeflate, or null: every object through {@link #deflater}. */
    private final NativeDeflate whole;
    private final int wholeLimit;
    private ByteBuffer gathered;
    private ByteBuffer compressed;
    /** Whether the current object's content goes through {@link #deflater}. */
    private boolean streaming;
    private HashAlgorithm.Digester digester;
    private StagedObject target;
    private long contentBytes;

    ObjectEncoder(IngestSettings settings) {
        this(settings.algorithm(), settings.compression(), settings.libdeflateHere(), WHOLE_LIMIT);
    }

    /** {@code wholeBuffers}: compress with libdeflate up to {@code wholeLimit} content bytes. */
    ObjectEncoder(HashAlgorithm algorithm, Compression compression, boolean wholeBuffers, int wholeLimit) {
        this.algorithm = algorithm;
        this.compression = compression;
        this.whole = wholeBuffers ? NativeDeflate.open(Zlib.LEVEL) : null;
        this.wholeLimit = wholeLimit;
    }

    void start(StagedObject staged) {
        if (target != null) {
            throw new IllegalStateException("encoder already busy with another object");
        }
        target = staged;
        digester = algorithm.newDigester();
        contentBytes = 0;
        streaming = whole == null;
        if (streaming) {
            deflater.reset();
        } else if (gathered != null) {
            gathered.clear();
        }
    }

    void write(byte[] data, int offset, int length) {
        contentBytes += length;
        if (compression == Compression.NONE) {
            emit(data, offset, length);
            return;
        }
        if (!streaming) {
            if (contentBytes <= wholeLimit) {
                gather(data, offset, length);
                return;
            }
            startStreaming();
        }
        deflater.setInput(data, offset, length);
        drain();
    }

    /** Ends the object and returns its name; the staged bytes are sealed. */
    ContentHash finish(ObjectSuffix suffix) {
        if (compression == Compression.ZLIB && !streaming && contentBytes > 0) {
            compressGathered();
        } else if (compression == Compression.ZLIB) {
            if (!streaming) {
                deflater.reset();  // no content: zlib's empty stream, upstream's well-known empty object
            }
            deflater.finish();
            while (!deflater.finished()) {
                emit(output, 0, deflater.deflate(output, 0, output.length, Deflater.NO_FLUSH));
            }
        }
        target.seal();
        target = null;
        return ContentHash.of(algorithm, digester.finish(), suffix);
    }

    /** Content bytes written into the current object. */
    long contentBytes() {
        return contentBytes;
    }

    /** Forgets a half-written object after a failure, so the encoder can be reused. */
    void abandon() {
        target = null;
    }

    void end() {
        deflater.end();
        if (whole != null) {
            whole.close();
        }
    }

    private void gather(byte[] data, int offset, int length) {
        int needed = (int) contentBytes;
        if (gathered == null || gathered.capacity() < needed) {
            int capacity = gathered == null ? FIRST_BUFFER : gathered.capacity();
            while (capacity < needed) {
                capacity = (int) Math.min(wholeLimit, 2L * capacity);
            }
            ByteBuffer larger = ByteBuffer.allocateDirect(capacity);
            if (gathered != null) {
                larger.put(gathered.flip());
            }
            gathered = larger;
        }
        gathered.put(data, offset, length);
    }

    /** The object outgrew {@code wholeLimit}: what was gathered goes into the streaming deflater first. */
    private void startStreaming() {
        streaming = true;
        deflater.reset();
        if (gathered != null) {
            deflater.setInput(gathered.flip());
            drain();
            gathered.clear();
        }
    }

    private void drain() {
        while (!deflater.needsInput()) {
            emit(output, 0, deflater.deflate(output, 0, output.length, Deflater.NO_FLUSH));
        }
    }

    private void compressGathered() {
        int length = gathered.position();
        long bound = whole.bound(length);
        if (compressed == null || compressed.capacity() < bound) {
            compressed = ByteBuffer.allocateDirect((int) Math.max(bound, FIRST_BUFFER));
        }
        int size = whole.compress(gathered, length, compressed.clear());
        compressed.limit(size);
        while (compressed.hasRemaining()) {
            int n = Math.min(output.length, compressed.remaining());
            compressed.get(output, 0, n);
            emit(output, 0, n);
        }
    }

    private void emit(byte[] data, int offset, int length) {
        if (length > 0) {
            digester.update(data, offset, length);
            target.write(data, offset, length);
        }
    }
}
