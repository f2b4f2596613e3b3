package org.cvmfs.suite.protocol.store;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
     * The catalog file {@code catalog} compressed at {@link #CATALOG_LEVEL} into {@code out}. A
     * catalog of several {@value #CATALOG_BLOCK}-byte blocks is compressed as pigz does, one
     * block per core at a time: each block a raw deflate segment primed with the 32 KiB before it
     * (so that matches may reach back as in one stream) and ended on a byte boundary by a sync
     * flush, the last one finished; the segments in order, between a zlib header and the Adler-32
     * of the whole, are one valid zlib stream. Its bytes depend on the input alone, not on the
     * cores or their timing. Level 1 does about 65 MB/s on catalog pages (digests), so the 3.2 MB
     * root catalog of 10,000 files took 50 ms on the publisher and again in the gateway's merge, a
     * quarter of a one-file publication (issue 11).
     *
     * <p>The catalog is read a round of blocks at a time and never held whole: a flat catalog of a
     * few hundred thousand entries is tens of megabytes, more than a bounded heap should hold
     * twice over (the file and its compressed copy).
     */
    public static void compressCatalog(Path catalog, OutputStream out) throws IOException {
        try (FileChannel in = FileChannel.open(catalog, StandardOpenOption.READ)) {
            long size = in.size();
            // one block (at least, even for no bytes) is one finished segment: zlib's own stream
            long blocks = Math.max(1, (size + CATALOG_BLOCK - 1) / CATALOG_BLOCK);
            int round = Math.max(1, Runtime.getRuntime().availableProcessors());
            out.write(0x78); // deflate, 32 KiB window
            out.write(0x01); // fastest level; (0x78 << 8 | 0x01) is a multiple of 31
            Adler32 adler = new Adler32();
            byte[] before = null;
            for (long first = 0; first < blocks; first += round) {
                byte[][] data = new byte[(int) Math.min(round, blocks - first)][];
                for (int k = 0; k < data.length; k++) {
                    data[k] = read(in, (int) Math.min(CATALOG_BLOCK, size - (first + k) * CATALOG_BLOCK), catalog);
                }
                byte[][] segments = deflateRound(before, data, first + data.length == blocks);
                for (int k = 0; k < data.length; k++) {
                    adler.update(data[k]);
                    out.write(segments[k]);
                }
                before = data[data.length - 1];
            }
            long sum = adler.getValue();
            for (int shift = 24; shift >= 0; shift -= 8) {
                out.write((int) (sum >>> shift) & 0xff);
            }
        }
    }

    /** The next {@code length} bytes of {@code in}. */
    private static byte[] read(FileChannel in, int length, Path file) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(length);
        while (buffer.hasRemaining()) {
            if (in.read(buffer) < 0) {
                throw new IOException(file + " ended early: it shrank while it was compressed");
            }
        }
        return buffer.array();
    }

    /**
     * One round of blocks deflated on all cores, this thread one of them; {@code before} is the
     * block before the round's first (null at the start), {@code last} whether the round ends
     * the catalog.
     */
    private static byte[][] deflateRound(byte[] before, byte[][] data, boolean last) {
        byte[][] segments = new byte[data.length][];
        @SuppressWarnings("unchecked")
        CompletableFuture<Void>[] done = new CompletableFuture[data.length];
        for (int i = 0; i < data.length; i++) {
            done[i] = new CompletableFuture<>();
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable work = () -> {
            for (int i = next.getAndIncrement(); i < data.length; i = next.getAndIncrement()) {
                try {
                    segments[i] = deflateBlock(i == 0 ? before : data[i - 1], data[i], last && i == data.length - 1);
                } catch (RuntimeException | Error e) {
                    failure.compareAndSet(null, e);
                } finally {
                    done[i].complete(null);
                }
            }
        };
        for (int h = 1; h < data.length; h++) {
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
        return segments;
    }

    /** One block as a raw deflate segment, primed with the end of the block {@code before} (null for the first). */
    private static byte[] deflateBlock(byte[] before, byte[] block, boolean last) {
        Deflater deflater = new Deflater(CATALOG_LEVEL, true);
        try {
            if (before != null) {
                int window = Math.min(WINDOW, before.length);
                deflater.setDictionary(before, before.length - window, window);
            }
            deflater.setInput(block);
            ByteArrayOutputStream out = new ByteArrayOutputStream(block.length / 2 + 64);
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
            inflateTo(new ByteArrayInputStream(data), limit, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot happen: reading and writing memory", e);
        }
        return out.toByteArray();
    }

    /**
     * {@link #inflate} from a stream to a stream, neither whole in the heap (a catalog staged as
     * a file): {@code in} is read to its end, so a stream that verifies its bytes there
     * ({@link ObjectStore#openStored}) has verified them when this returns.
     */
    public static void inflateTo(InputStream in, long limit, OutputStream out) throws IOException {
        Inflater inflater = new Inflater();
        try {
            byte[] input = new byte[64 * 1024];
            byte[] buf = new byte[64 * 1024];
            long written = 0;
            while (!inflater.finished()) {
                if (inflater.needsInput()) {
                    int read = in.read(input);
                    if (read < 0) {
                        throw new CorruptObjectException("truncated zlib stream");
                    }
                    inflater.setInput(input, 0, read);
                    continue;
                }
                int n = inflater.inflate(buf);
                // no progress with input left: a preset dictionary, which no CernVM-FS object names
                if (n == 0 && !inflater.finished() && !inflater.needsInput()) {
                    throw new CorruptObjectException("truncated zlib stream");
                }
                if (written + n > limit) {
                    throw new CorruptObjectException("inflated object exceeds " + limit + " bytes");
                }
                out.write(buf, 0, n);
                written += n;
            }
            long after = inflater.getRemaining() + in.transferTo(OutputStream.nullOutputStream());
            if (after != 0) {
                throw new CorruptObjectException(after + " bytes after the end of the zlib stream");
            }
        } catch (DataFormatException e) {
            throw new CorruptObjectException("not a zlib stream: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }
}
