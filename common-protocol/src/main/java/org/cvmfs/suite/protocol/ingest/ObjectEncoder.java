package org.cvmfs.suite.protocol.ingest;

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
 */
final class ObjectEncoder {
    private final HashAlgorithm algorithm;
    private final Compression compression;
    private final Deflater deflater = new Deflater(Zlib.LEVEL);
    private final byte[] output = new byte[64 * 1024];
    private HashAlgorithm.Digester digester;
    private StagedObject target;
    private long contentBytes;

    ObjectEncoder(HashAlgorithm algorithm, Compression compression) {
        this.algorithm = algorithm;
        this.compression = compression;
    }

    void start(StagedObject staged) {
        if (target != null) {
            throw new IllegalStateException("encoder already busy with another object");
        }
        target = staged;
        digester = algorithm.newDigester();
        contentBytes = 0;
        deflater.reset();
    }

    void write(byte[] data, int offset, int length) {
        contentBytes += length;
        if (compression == Compression.NONE) {
            emit(data, offset, length);
            return;
        }
        deflater.setInput(data, offset, length);
        while (!deflater.needsInput()) {
            emit(output, 0, deflater.deflate(output, 0, output.length, Deflater.NO_FLUSH));
        }
    }

    /** Ends the object and returns its name; the staged bytes are sealed. */
    ContentHash finish(ObjectSuffix suffix) {
        if (compression == Compression.ZLIB) {
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
    }

    private void emit(byte[] data, int offset, int length) {
        if (length > 0) {
            digester.update(data, offset, length);
            target.write(data, offset, length);
        }
    }
}
