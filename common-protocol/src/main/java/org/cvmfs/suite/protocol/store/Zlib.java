package org.cvmfs.suite.protocol.store;

import java.io.ByteArrayOutputStream;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * zlib streams (RFC 1950), the only compression CernVM-FS objects use. Any level inflates the
 * same; file content is compressed at zlib's default (6), as upstream does, and catalogs at
 * {@link #CATALOG_LEVEL}.
 */
public final class Zlib {
    public static final int LEVEL = Deflater.DEFAULT_COMPRESSION;
    /**
     * Level 1 for catalogs: a catalog is mostly SHA-1 and MD5 digests, which no level compresses,
     * and every publication compresses its changed catalogs twice, on the publisher and in the
     * gateway's merge. A root catalog of 70,000 entries (14.9 MB) took 379 ms at level 6 and
     * 166 ms at level 1, for 3.8 % more bytes (7.10 against 7.37 MB; issue 11).
     */
    public static final int CATALOG_LEVEL = Deflater.BEST_SPEED;

    private Zlib() {
    }

    /** {@code data} compressed at the content level, {@link #LEVEL}. */
    public static byte[] compress(byte[] data) {
        return compress(data, LEVEL);
    }

    public static byte[] compress(byte[] data, int level) {
        Deflater deflater = new Deflater(level);
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
