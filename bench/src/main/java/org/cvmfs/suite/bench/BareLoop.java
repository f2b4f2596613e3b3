package org.cvmfs.suite.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.Deflater;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * The yardstick of the publication benchmarks: zlib level 6 and SHA-1 of the compressed bytes,
 * nothing else (no catalog, no pack, no gateway), over the same files. On one core it is the
 * rate upstream's figures are put against; on every core at once it is the ceiling no publisher
 * with zlib's bytes can pass on this machine, whatever it overlaps.
 *
 * <p>The work is cut into pieces of at most {@value #PIECE} bytes, each its own zlib stream, as
 * a big file's chunks are; a small file is one piece. Threads take pieces in turn.
 */
final class BareLoop {
    static final int PIECE = 8 << 20;

    private record Piece(Path file, long offset, long length) {
    }

    private BareLoop() {
    }

    /** Seconds of wall time for one core. */
    static double oneCore(List<Path> files) throws Exception {
        return cores(files, 1);
    }

    /** Seconds of wall time with {@code threads} threads, each its own zlib stream and digest. */
    static double cores(List<Path> files, int threads) throws Exception {
        List<Piece> pieces = pieces(files);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            long t = System.nanoTime();
            List<Future<Long>> parts = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int first = i;
                parts.add(pool.submit(() -> compress(pieces, first, threads)));
            }
            long sink = 0;
            for (Future<Long> part : parts) {
                sink += part.get();
            }
            double seconds = (System.nanoTime() - t) / 1e9;
            if (sink == Long.MIN_VALUE) {
                System.out.println(); // keeps the digests observable to the JIT
            }
            return seconds;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Piece> pieces(List<Path> files) throws IOException {
        List<Piece> pieces = new ArrayList<>();
        for (Path f : files) {
            long size = Files.size(f);
            long offset = 0;
            do {
                long length = Math.min(PIECE, size - offset);
                pieces.add(new Piece(f, offset, length));
                offset += length;
            } while (offset < size);
        }
        return pieces;
    }

    /** Pieces {@code first}, {@code first + step}, ...; returns a digest byte per piece, summed. */
    private static long compress(List<Piece> pieces, int first, int step) throws NoSuchAlgorithmException {
        Deflater deflater = new Deflater(Zlib.LEVEL);
        MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
        ByteBuffer in = ByteBuffer.allocate(256 * 1024);
        byte[] out = new byte[64 * 1024];
        long sink = 0;
        try {
            for (int i = first; i < pieces.size(); i += step) {
                Piece piece = pieces.get(i);
                deflater.reset();
                try (FileChannel channel = FileChannel.open(piece.file())) {
                    long position = piece.offset();
                    long end = piece.offset() + piece.length();
                    while (position < end) {
                        in.clear().limit((int) Math.min(in.capacity(), end - position));
                        int n = channel.read(in, position);
                        if (n <= 0) {
                            break;
                        }
                        position += n;
                        deflater.setInput(in.array(), 0, n);
                        while (!deflater.needsInput()) {
                            sha1.update(out, 0, deflater.deflate(out));
                        }
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                deflater.finish();
                while (!deflater.finished()) {
                    sha1.update(out, 0, deflater.deflate(out));
                }
                sink += sha1.digest()[0];
            }
        } finally {
            deflater.end();
        }
        return sink;
    }
}
