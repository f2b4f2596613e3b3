package org.cvmfs.suite.protocol.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * Turns regular files into stored objects: chunking (when enabled), zlib level 6 and hashing of
 * the stored bytes in one pass per object ({@link ObjectEncoder}, zlib or libdeflate as
 * {@link IngestSettings#deflateLibrary} says), objects handed to an {@link ObjectSink}.
 *
 * <p>Files and the chunks of big files are processed in parallel on a bounded pool; the cut
 * points of a big file are found by a scan in the caller (which may skip the first
 * {@code min - 32} bytes of every chunk), and each chunk is compressed by its own task, scheduled
 * as soon as the scan finds its end, so a single 1 GiB file uses every thread. Memory stays
 * bounded: each running task holds at most one object in memory (up to the staging limit, the
 * rest spills to disk; with libdeflate also the object's content, up to 16 MiB), in its thread's
 * {@link StagingBuffer}, kept for the thread's next object rather than allocated anew; and at
 * most {@code 4 * threads} tasks are queued: {@link #submit} blocks when that many are pending,
 * until half of them are done.
 */
public final class ContentProcessor implements AutoCloseable {
    /** Enough to keep any default-size chunk in memory; bigger objects spill to disk. */
    public static final int DEFAULT_STAGING_LIMIT = 17 << 20;
    private static final int READ_BLOCK = 256 * 1024;
    private static final int SCAN_BLOCK = 1 << 20;

    private final IngestSettings settings;
    private final ObjectSink sink;
    private final Path spillDir;
    private final int stagingLimit;
    private final ExecutorService pool;
    private final Window pending;
    private final ThreadLocal<Worker> workers = new ThreadLocal<>();
    private final ConcurrentLinkedQueue<Worker> allWorkers = new ConcurrentLinkedQueue<>();

    public ContentProcessor(IngestSettings settings, ObjectSink sink, int threads, Path spillDir) {
        this(settings, sink, threads, spillDir, DEFAULT_STAGING_LIMIT);
    }

    public ContentProcessor(IngestSettings settings, ObjectSink sink, int threads, Path spillDir, int stagingLimit) {
        if (threads < 1) {
            throw new IllegalArgumentException("number of processing threads must be at least 1, got " + threads);
        }
        this.settings = Objects.requireNonNull(settings, "settings");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.spillDir = Objects.requireNonNull(spillDir, "spill directory");
        this.stagingLimit = stagingLimit;
        AtomicInteger counter = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "ingest-" + counter.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.pending = new Window(4 * threads);
    }

    public IngestSettings settings() {
        return settings;
    }

    /**
     * Schedules one regular file. Must not be called from a processing thread. The scan for cut
     * points runs in the caller; a failure there is thrown, later failures complete the future
     * exceptionally with an {@link IngestException} naming the file.
     */
    public CompletableFuture<ProcessedContent> submit(Path file) {
        try {
            return submit(file, Files.size(file));
        } catch (IOException e) {
            throw new IngestException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * As {@link #submit(Path)}, for a file whose size the caller knows (from a scan of a tree
     * that cannot change meanwhile): a file too small to be cut is opened only by its task,
     * which refuses it if it does not hold exactly {@code size} bytes.
     */
    public CompletableFuture<ProcessedContent> submit(Path file, long size) {
        Optional<ChunkDetector> chunking = settings.chunking();
        List<CompletableFuture<Chunk>> parts = List.of();
        if (chunking.isPresent() && chunking.get().mightFindChunks(size)) {
            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
                parts = scheduleChunks(file, channel, size, chunking.get());
            } catch (IOException e) {
                throw new IngestException("cannot read " + file + ": " + e.getMessage(), e);
            }
        }
        if (parts.isEmpty()) {
            return schedule(() -> ProcessedContent.ofBulk(size, settings.compression(),
                    encodeRange(file, 0, size, true, ObjectSuffix.NONE)));
        }
        return chunked(size, parts);
    }

    private CompletableFuture<ProcessedContent> chunked(long size, List<CompletableFuture<Chunk>> parts) {
        return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new))
                .thenApply(done -> ProcessedContent.ofChunks(size, settings.algorithm(), settings.compression(),
                        parts.stream().map(CompletableFuture::join).toList()));
    }

    /**
     * Schedules content already in memory (a small tar member, say); gives the same objects as a
     * file with these bytes. {@code name} appears in error messages.
     */
    public CompletableFuture<ProcessedContent> submit(byte[] content, String name) {
        return schedule(() -> process(new java.io.ByteArrayInputStream(content), name));
    }

    /** Processes files in parallel and returns their results in the same order. */
    public List<ProcessedContent> processAll(List<Path> files) {
        List<CompletableFuture<ProcessedContent>> futures = new ArrayList<>(files.size());
        for (Path f : files) {
            futures.add(submit(f));
        }
        List<ProcessedContent> results = new ArrayList<>(files.size());
        for (CompletableFuture<ProcessedContent> f : futures) {
            results.add(await(f));
        }
        return results;
    }

    /** Waits for a submitted file and rethrows its failure unwrapped. */
    public static ProcessedContent await(CompletableFuture<ProcessedContent> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }

    /**
     * Processes a stream (e.g. a tar member) in the calling thread, in one pass: cut points are
     * found while the bytes are compressed. Gives the same objects as {@link #submit} would for
     * a file with this content.
     */
    public ProcessedContent process(InputStream in, String name) {
        Worker w = worker();
        ChunkDetector.Cursor cursor = settings.chunking().map(ChunkDetector::newCursor).orElse(null);
        List<Chunk> chunks = new ArrayList<>();
        StagedObject current = newStaged();
        Finished held = null;  // the last cut-off chunk, sunk only once another piece follows
        long position = 0;
        long currentStart = 0;
        try {
            w.encoder.start(current);
            int n;
            while ((n = in.read(w.block)) >= 0) {
                int off = 0;
                while (cursor != null && off < n) {
                    long cut = cursor.offer(position + off, w.block, off, n - off);
                    if (cut < 0) {
                        break;
                    }
                    int upto = (int) (cut - position);
                    w.encoder.write(w.block, off, upto - off);
                    ContentHash hash = w.encoder.finish(ObjectSuffix.PARTIAL);
                    if (held != null) {
                        chunks.add(held.sinkAsChunk());
                    }
                    held = new Finished(hash, current, currentStart, cut - currentStart);
                    current = newStaged();
                    currentStart = cut;
                    w.encoder.start(current);
                    off = upto;
                }
                w.encoder.write(w.block, off, n - off);
                position += n;
            }
            if (held == null) {
                ContentHash hash = w.encoder.finish(ObjectSuffix.NONE);
                sink.accept(hash, current);
                return ProcessedContent.ofBulk(position, settings.compression(), hash);
            }
            if (position > currentStart) {
                chunks.add(held.sinkAsChunk());
                ContentHash hash = w.encoder.finish(ObjectSuffix.PARTIAL);
                sink.accept(hash, current);
                chunks.add(new Chunk(currentStart, position - currentStart, hash));
            } else {
                // the data ended exactly at a hard cut: no empty chunk
                w.encoder.finish(ObjectSuffix.PARTIAL);
                if (chunks.isEmpty()) {
                    ContentHash bulk = held.hash.withSuffix(ObjectSuffix.NONE);
                    sink.accept(bulk, held.staged);
                    return ProcessedContent.ofBulk(position, settings.compression(), bulk);
                }
                chunks.add(held.sinkAsChunk());
            }
            return ProcessedContent.ofChunks(position, settings.algorithm(), settings.compression(), chunks);
        } catch (IOException e) {
            throw new IngestException("cannot read " + name + ": " + e.getMessage(), e);
        } finally {
            w.encoder.abandon();
            current.close();
            if (held != null) {
                held.staged.close();
            }
        }
    }

    /** Waits for the scheduled work to finish, then frees the zlib state of every thread. */
    @Override
    public void close() {
        pool.shutdown();
        boolean interrupted = false;
        while (!pool.isTerminated()) {
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Worker w;
        while ((w = allWorkers.poll()) != null) {
            w.encoder.end();
        }
    }

    private final class Finished {
        final ContentHash hash;
        final StagedObject staged;
        final long offset;
        final long size;

        Finished(ContentHash hash, StagedObject staged, long offset, long size) {
            this.hash = hash;
            this.staged = staged;
            this.offset = offset;
            this.size = size;
        }

        Chunk sinkAsChunk() {
            sink.accept(hash, staged);
            staged.close();
            return new Chunk(offset, size, hash);
        }
    }

    private interface Task<T> {
        T run() throws IOException;
    }

    private <T> CompletableFuture<T> schedule(Task<T> task) {
        pending.enter();
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            pool.execute(() -> {
                try {
                    result.complete(task.run());
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                } finally {
                    pending.leave();
                }
            });
        } catch (RejectedExecutionException e) {
            pending.leave();
            throw new IllegalStateException("content processor is closed", e);
        }
        return result;
    }

    /**
     * Finds the cut points of a file with positional reads that skip the bytes the detector does
     * not look at, and schedules each chunk as soon as its end is found, so that the first chunks
     * are compressed while the scan goes on instead of after it. No parts if the file has no
     * cut: it is one bulk object. The end of the file is never a cut.
     */
    private List<CompletableFuture<Chunk>> scheduleChunks(Path file, FileChannel channel, long size,
                                                          ChunkDetector detector) throws IOException {
        ChunkDetector.Cursor cursor = detector.newCursor();
        byte[] block = new byte[SCAN_BLOCK];
        List<CompletableFuture<Chunk>> parts = new ArrayList<>();
        long start = 0;
        long position;
        while ((position = cursor.resumeAt()) < size) {
            int want = (int) Math.min(block.length, size - position);
            int n = readFully(channel, block, want, position);
            if (n < want) {
                throw new IngestException(file + " shrank below " + size + " bytes while being published");
            }
            long cut = cursor.offer(position, block, 0, n);
            if (cut >= 0 && cut < size) {
                parts.add(scheduleChunk(file, start, cut, false));
                start = cut;
            }
        }
        if (!parts.isEmpty()) {
            parts.add(scheduleChunk(file, start, size, true));
        }
        return parts;
    }

    private CompletableFuture<Chunk> scheduleChunk(Path file, long offset, long end, boolean last) {
        return schedule(() -> new Chunk(offset, end - offset,
                encodeRange(file, offset, end - offset, last, ObjectSuffix.PARTIAL)));
    }

    /**
     * Compresses and hashes {@code [offset, offset + length)} of a file into one object. The
     * last range also checks that the file did not grow, so a file changed during publication
     * never yields a catalog entry whose size disagrees with its objects.
     */
    private ContentHash encodeRange(Path file, long offset, long length, boolean last, ObjectSuffix suffix)
            throws IOException {
        Worker w = worker();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
             StagedObject staged = new StagedObject(spillDir, stagingLimit, w.staging)) {
            w.encoder.start(staged);
            try {
                long position = offset;
                long end = offset + length;
                while (position < end) {
                    int want = (int) Math.min(w.block.length, end - position);
                    int n = readFully(channel, w.block, want, position);
                    if (n < want) {
                        throw new IngestException(file + " shrank below " + end + " bytes while being published");
                    }
                    w.encoder.write(w.block, 0, n);
                    position += n;
                }
                if (last && readFully(channel, w.block, 1, end) > 0) {
                    throw new IngestException(file + " grew beyond " + end + " bytes while being published");
                }
                ContentHash hash = w.encoder.finish(suffix);
                sink.accept(hash, staged);
                return hash;
            } finally {
                w.encoder.abandon();
            }
        } catch (IOException e) {
            throw new IngestException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static int readFully(FileChannel channel, byte[] block, int want, long position) throws IOException {
        ByteBuffer buffer = ByteBuffer.wrap(block, 0, want);
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, position + buffer.position()) < 0) {
                break;
            }
        }
        return buffer.position();
    }

    private StagedObject newStaged() {
        return new StagedObject(spillDir, stagingLimit);
    }

    private Worker worker() {
        Worker w = workers.get();
        if (w == null) {
            w = new Worker(new ObjectEncoder(settings), new byte[READ_BLOCK], new StagingBuffer());
            workers.set(w);
            allWorkers.add(w);
        }
        return w;
    }

    /** One thread's reused state: its encoder, read block and staging memory. */
    private record Worker(ObjectEncoder encoder, byte[] block, StagingBuffer staging) {
    }

    /**
     * At most {@code size} tasks scheduled and not finished. A caller that finds the window full
     * waits until half of it has drained, so that it wakes once per half a window rather than
     * once per finished task: small files finish by the thousand a second, and every wake-up is
     * a futex call on both sides.
     */
    private static final class Window {
        private final int size;
        private int inFlight;

        Window(int size) {
            this.size = size;
        }

        synchronized void enter() {
            boolean interrupted = false;
            while (inFlight >= size) {
                try {
                    wait();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            inFlight++;
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }

        synchronized void leave() {
            inFlight--;
            if (inFlight == size / 2) {
                notifyAll();
            }
        }
    }
}
