package org.cvmfs.suite.protocol.store;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.Adler32;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * zlib streams (RFC 1950), the only compression CernVM-FS objects use. Any level inflates the
 * same; file content is compressed at zlib's default (6), as upstream does, and catalogs at
 * {@link #CATALOG_LEVEL}.
 */
public final class Zlib {
    /** zlib's default level ({@code Z_DEFAULT_COMPRESSION} means 6), upstream's for file content. */
    public static final int LEVEL = 6;
    /**
     * Level 1 for catalogs: a catalog is mostly SHA-1 and MD5 digests, which no level compresses,
     * and every publication compresses its changed catalogs twice, on the publisher and in the
     * gateway's merge. A root catalog of 70,000 entries (14.9 MB) took 379 ms at level 6 and
     * 166 ms at level 1, for 3.8 % more bytes (7.10 against 7.37 MB; issue 11).
     */
    public static final int CATALOG_LEVEL = Deflater.BEST_SPEED;
    /** Catalogs larger than one block are compressed block by block on all cores: {@link #compressCatalog}. */
    static final int CATALOG_BLOCK = 256 * 1024;
    private static final int WINDOW = 32 * 1024;

    private Zlib() {
    }

    /**
     * {@code catalog} compressed at {@link #CATALOG_LEVEL}. A catalog of more than one
     * {@value #CATALOG_BLOCK}-byte block is compressed as pigz does, one block per core at a
     * time: each block a raw deflate segment primed with the 32 KiB before it (so that matches
     * may reach back as in one stream) and ended on a byte boundary by a sync flush, the last one
     * finished; the segments in order, between a zlib header and the Adler-32 of the whole, are
     * one valid zlib stream. Its bytes depend on the input alone, not on the cores or their
     * timing. Level 1 does about 65 MB/s on catalog pages (digests), so the 3.2 MB root catalog
     * of 10,000 files took 50 ms on the publisher and again in the gateway's merge, a quarter of
     * a one-file publication (issue 11).
     */
    public static byte[] compressCatalog(byte[] catalog) {
        int blocks = (catalog.length + CATALOG_BLOCK - 1) / CATALOG_BLOCK;
        if (blocks < 2) {
            return compress(catalog, CATALOG_LEVEL);
        }
        byte[][] segments = new byte[blocks][];
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] done = new CompletableFuture[blocks];
        for (int i = 0; i < blocks; i++) {
            done[i] = new CompletableFuture<>();
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            for (int i = next.getAndIncrement(); i < blocks; i = next.getAndIncrement()) {
                try {
                    segments[i] = deflateBlock(catalog, i, i == blocks - 1);
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done[i].complete(null);
                }
            }
        };
        int helpers = Math.min(Runtime.getRuntime().availableProcessors(), blocks) - 1;
        for (int h = 0; h < helpers; h++) {
            ForkJoinPool.commonPool().execute(work);
        }
        work.run();
        // every block is taken by now, by this thread or a helper that is compressing it
        CompletableFuture.allOf(done).join();
        if (failure.get() instanceof RuntimeException e) {
            throw e;
        }
        if (failure.get() instanceof Error e) {
            throw e;
        }
        return framed(segments, catalog);
    }

    /** Raw deflate segments in order between a zlib header and the Adler-32 of {@code data}: one zlib stream. */
    private static byte[] framed(byte[][] segments, byte[] data) {
        int length = 2 + 4;
        for (byte[] segment : segments) {
            length += segment.length;
        }
        byte[] out = new byte[length];
        out[0] = 0x78; // deflate, 32 KiB window
        out[1] = 0x01; // fastest level; (0x78 << 8 | 0x01) is a multiple of 31
        int at = 2;
        for (byte[] segment : segments) {
            System.arraycopy(segment, 0, out, at, segment.length);
            at += segment.length;
        }
        Adler32 adler = new Adler32();
        adler.update(data);
        long sum = adler.getValue();
        for (int shift = 24; shift >= 0; shift -= 8) {
            out[at++] = (byte) (sum >>> shift);
        }
        return out;
    }

    private static byte[] deflateBlock(byte[] data, int block, boolean last) {
        int start = block * CATALOG_BLOCK;
        int length = Math.min(CATALOG_BLOCK, data.length - start);
        Deflater deflater = new Deflater(CATALOG_LEVEL, true);
        try {
            if (start > 0) {
                int window = Math.min(WINDOW, start);
                deflater.setDictionary(data, start - window, window);
            }
            deflater.setInput(data, start, length);
            ByteArrayOutputStream out = new ByteArrayOutputStream(length / 2 + 64);
            byte[] buf = new byte[64 * 1024];
            if (last) {
                deflater.finish();
                while (!deflater.finished()) {
                    out.write(buf, 0, deflater.deflate(buf));
                }
            } else {
                int n;
                do {
                    n = deflater.deflate(buf, 0, buf.length, Deflater.SYNC_FLUSH);
                    out.write(buf, 0, n);
                } while (n == buf.length);
            }
            return out.toByteArray();
        } finally {
            deflater.end();
        }
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
        ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, data.length * 3));
        try {
            inflateTo(data, limit, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: writing to memory", e);
        }
        return out.toByteArray();
    }

    /**
     * {@link #inflate}, written to {@code out} as it inflates (a catalog staged as a file never
     * whole in the heap).
     */
    public static void inflateTo(byte[] data, long limit, OutputStream out) throws IOException {
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(data);
            long written = 0;
            byte[] buf = new byte[64 * 1024];
            while (!inflater.finished()) {
                int n = inflater.inflate(buf);
                // the empty stream finishes with 0 bytes out and no input left: not a truncation
                if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CorruptObjectException("truncated zlib stream");
                }
                if (written + n > limit) {
                    throw new CorruptObjectException("inflated object exceeds " + limit + " bytes");
                }
                out.write(buf, 0, n);
                written += n;
            }
            if (inflater.getRemaining() != 0) {
                throw new CorruptObjectException(inflater.getRemaining() + " bytes after the end of the zlib stream");
            }
        } catch (DataFormatException e) {
            throw new CorruptObjectException("not a zlib stream: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }
}
