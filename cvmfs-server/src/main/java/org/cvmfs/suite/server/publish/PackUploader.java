package org.cvmfs.suite.server.publish;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.atomic.AtomicLong;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.ingest.ObjectSink;
import org.cvmfs.suite.protocol.ingest.StagedObject;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * Collects new objects into object packs spooled on disk and uploads them one after another from
 * a background thread while processing goes on, as upstream's publisher does. Memory stays
 * bounded: object bytes live in the spool files, and at most {@code queueDepth} full packs wait
 * for the uploader before {@link #accept} blocks. An object sent in this session is not sent
 * again while it is among the last {@value #REMEMBERED} sent, so that neither memory nor the
 * upload grows with repeated content; an older duplicate is sent again, and the gateway keeps one
 * copy, as it does for an object that a pack brings twice. The first upload failure stops
 * everything: later calls rethrow it.
 */
public final class PackUploader implements ObjectSink, AutoCloseable {
    /** Where a finished pack goes; the gateway in production. */
    @FunctionalInterface
    public interface PayloadTarget {
        void submit(ObjectPackWriter pack);
    }

    private static final Pack END = new Pack(null, null, null);

    /** How many objects' names the uploader keeps, the latest used last: about 7 MiB of them. */
    static final int REMEMBERED = 65_536;

    private record Pack(ObjectPackWriter writer, Path file, SpoolReader reader) {
    }

    private final PayloadTarget target;
    private final Path spoolDir;
    private final long maxPackBytes;
    private final int maxObjects;
    private final BlockingQueue<Pack> queue;
    private final Thread uploader;
    private final Set<ContentHash> sent = Collections.newSetFromMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ContentHash, Boolean> eldest) {
            return size() > REMEMBERED;
        }
    });
    private final AtomicLong uploadedBytes = new AtomicLong();
    private final AtomicLong uploadedPacks = new AtomicLong();
    private volatile RuntimeException failure;
    private ObjectPackWriter current;
    private Path currentFile;
    private SpoolReader currentReader;
    private OutputStream currentOut;
    private long currentOffset;
    private boolean finished;
    private boolean endQueued;

    public PackUploader(PayloadTarget target, Path spoolDir, long maxPackBytes, int maxObjects, int queueDepth) {
        this.target = target;
        this.spoolDir = spoolDir;
        this.maxPackBytes = maxPackBytes;
        this.maxObjects = maxObjects;
        this.queue = new ArrayBlockingQueue<>(queueDepth + 1);
        this.uploader = new Thread(this::uploadLoop, "pack-uploader");
        this.uploader.setDaemon(true);
        this.uploader.start();
    }

    public PackUploader(PayloadTarget target, Path spoolDir) {
        this(target, spoolDir, ObjectPackWriter.DEFAULT_MAX_PAYLOAD_BYTES, org.cvmfs.suite.protocol.pack.PackHeader.MAX_OBJECTS, 1);
    }

    @Override
    public synchronized void accept(ContentHash hash, StagedObject object) {
        spool(hash, object.size(), object::writeTo);
    }

    /**
     * An object already stored in {@code file} (a catalog the commit wrote), copied from there
     * into the pack's spool file, with no staging copy in between.
     */
    public synchronized void accept(ContentHash hash, Path file) throws IOException {
        spool(hash, Files.size(file), out -> Files.copy(file, out));
    }

    private void spool(ContentHash hash, long size, ObjectStore.Writer bytes) {
        requireHealthy();
        if (finished) {
            throw new IllegalStateException("pack uploader already finished");
        }
        if (!sent.add(hash)) {
            return;
        }
        try {
            if (current == null) {
                startPack();
            }
            if (!current.add(hash, size, currentReader.slice(currentOffset, size))) {
                ship();
                startPack();
                current.add(hash, size, currentReader.slice(currentOffset, size));
            }
            bytes.write(currentOut);
            currentOffset += size;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spool object " + hash + " in " + spoolDir, e);
        }
    }

    /** Sends what is pending and waits until every pack is uploaded; rethrows an upload failure. */
    public void finish() {
        synchronized (this) {
            if (!finished) {
                finished = true;
                if (failure == null && current != null && !current.isEmpty()) {
                    ship();
                } else {
                    discardCurrent();
                }
                queueEnd();
            }
        }
        awaitUploader();
        requireHealthy();
    }

    public long uploadedBytes() {
        return uploadedBytes.get();
    }

    public long uploadedPacks() {
        return uploadedPacks.get();
    }

    /** Stops without waiting for pending uploads (after a failure elsewhere) and removes spool files. */
    @Override
    public void close() {
        synchronized (this) {
            if (!finished) {
                finished = true;
                if (failure == null) {
                    failure = new IllegalStateException("pack uploader closed before finishing");
                }
                discardCurrent();
                Pack dropped;
                while ((dropped = queue.poll()) != null) {
                    if (dropped != END) {
                        dropped.reader.close();
                        deleteQuietly(dropped.file);
                    }
                }
            }
            queueEnd();
        }
        awaitUploader();
    }

    private void discardCurrent() {
        closeQuietly(currentOut);
        deleteQuietly(currentFile);
        current = null;
        currentOut = null;
        currentFile = null;
    }

    private void queueEnd() {
        if (!endQueued) {
            endQueued = true;
            put(END);
        }
    }

    private void awaitUploader() {
        try {
            uploader.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for uploads", e);
        }
    }

    private void startPack() throws IOException {
        Files.createDirectories(spoolDir);
        currentFile = Files.createTempFile(spoolDir, "pack.", ".spool");
        currentReader = new SpoolReader(currentFile);
        currentOut = new java.io.BufferedOutputStream(Files.newOutputStream(currentFile), 1 << 16);
        currentOffset = 0;
        current = new ObjectPackWriter(maxPackBytes, maxObjects);
    }

    private void ship() {
        try {
            currentOut.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot finish pack spool file " + currentFile, e);
        }
        put(new Pack(current, currentFile, currentReader));
        current = null;
    }

    private void put(Pack pack) {
        try {
            queue.put(pack);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while queueing a pack", e);
        }
    }

    private void uploadLoop() {
        while (true) {
            Pack pack;
            try {
                pack = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (pack == END) {
                return;
            }
            try {
                if (failure == null) {
                    target.submit(pack.writer);
                    uploadedBytes.addAndGet(pack.writer.payloadSize());
                    uploadedPacks.incrementAndGet();
                }
            } catch (RuntimeException e) {
                failure = e;
            } catch (Error e) {
                // The loop must outlive any failure: processing threads blocked in accept() wait for
                // it to take their pack, and ContentProcessor.close() waits for them.
                failure = new IllegalStateException("pack upload failed: " + e, e);
            } finally {
                pack.reader.close();
                deleteQuietly(pack.file);
            }
        }
    }

    private void requireHealthy() {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }

    /**
     * Reads one pack's spool file front to back through one open file, as the upload streams its
     * objects in the order they were spooled: each object's source is a slice of it, so a pack of
     * a thousand small objects costs one open, not a thousand. A source opened out of order (a
     * resent request starting again) re-opens the file. Used by one upload thread at a time.
     */
    private static final class SpoolReader {
        private final Path file;
        private InputStream in;
        private long position;

        SpoolReader(Path file) {
            this.file = file;
        }

        ObjectPackWriter.ObjectSource slice(long offset, long size) {
            return () -> open(offset, size);
        }

        private InputStream open(long offset, long size) throws IOException {
            if (in == null || offset < position) {
                close();
                in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
                position = 0;
            }
            in.skipNBytes(offset - position);
            position = offset;
            return new InputStream() {
                private long left = size;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = in.read(b, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                        position += n;
                    }
                    return n;
                }
            };
        }

        void close() {
            if (in != null) {
                try {
                    in.close();
                } catch (IOException ignored) {
                    // only read from; the file is deleted next
                }
                in = null;
            }
        }
    }

    private static void closeQuietly(OutputStream out) {
        if (out != null) {
            try {
                out.close();
            } catch (IOException ignored) {
                // the file is deleted next
            }
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // a leftover spool file is removed with the next transaction's tmp cleanup
            }
        }
    }
}
