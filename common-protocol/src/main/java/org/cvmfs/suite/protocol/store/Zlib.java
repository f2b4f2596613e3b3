package org.cvmfs.suite.protocol.store;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/** zlib streams (RFC 1950) at level 6, the only compression CernVM-FS objects use. */
public final class Zlib {
    public static final int LEVEL = Deflater.DEFAULT_COMPRESSION;

    private Zlib() {
    }

    public static byte[] compress(byte[] data) {
        Deflater deflater = new Deflater(LEVEL);
        try {
            deflater.setInput(data);
            deflater.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length / 2));
            byte[] buf = new byte[64 * 1024];
            while (!deflater.finished()) {
                int n = deflater.deflate(buf);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
    }

    /**
     * Inflates a complete zlib stream. Refuses truncated streams, trailing garbage and output
     * larger than {@code limit} bytes (a zip bomb in a hostile object).
     */
    public static byte[] inflate(byte[] data, long limit) {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length * 3));
            byte[] buf = new byte[64 * 1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                // the empty stream finishes with 0 bytes out and no input left: not a truncation
                if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CorruptObjectException("truncated zlib stream");
                }
                if (out.size() + (long) n > limit) {
                    throw new CorruptObjectException("inflated object exceeds " + limit + " bytes");
                }
                out.write(buf, 0, n);
            }
            if (inflater.getRemaining() != 0) {
                throw new CorruptObjectException(inflater.getRemaining() + " bytes after the end of the zlib stream");
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw new CorruptObjectException("not a zlib stream: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }
}
