package org.cvmfs.suite.server.publish;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;

/**
 * The processed content of a publication's files on its way from the feeder, which submits the
 * files to the content processor, to the catalog thread, which writes their rows. Both go through
 * the files in one order ({@link ChangeSet#contentToProcess()}), and the feeder is at most
 * {@code capacity} files ahead, so what a publication holds here does not grow with its number of
 * files: a file's content is let go once its row asked for it. Only content with further names
 * (hard links, which the catalog asks for again under each name) is kept, for those names.
 *
 * <p>The feeder calls {@link #put} and then {@link #close}; the catalog thread calls
 * {@link #take} for every regular file's row, then {@link #finish}, or {@link #abandon} when it
 * stops early, which lets a waiting feeder go.
 */
final class ContentQueue {
    /**
     * How many files further on the catalog thread waits when the next file's content is not
     * ready: files are processed about in order, so it then wakes once per batch, not per file.
     */
    private static final int AWAIT_BATCH = 16;

    private record Slot(ScannedEntry.FileKey key, CompletableFuture<ProcessedContent> content) {
    }

    private final Slot[] ring;
    private long head;
    private long tail;
    private boolean closed;
    private boolean abandoned;
    private final Map<ScannedEntry.FileKey, ProcessedContent> linked = new HashMap<>();
    private long bytes;
    private int files;

    ContentQueue(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " is not positive");
        }
        this.ring = new Slot[capacity];
    }

    /**
     * The feeder's next file, as the processor will give it; blocks while the queue is full.
     *
     * @return false if the catalog thread stopped, so that feeding is pointless
     */
    synchronized boolean put(ScannedEntry.FileKey key, CompletableFuture<ProcessedContent> content) {
        while (tail - head == ring.length && !abandoned) {
            waitHere();
        }
        if (abandoned) {
            return false;
        }
        ring[(int) (tail++ % ring.length)] = new Slot(key, content);
        notifyAll();
        return true;
    }

    /** The feeder put everything it will put. */
    synchronized void close() {
        closed = true;
        notifyAll();
    }

    /** The catalog thread stops asking: a feeder waiting for room goes on (and stops). */
    synchronized void abandon() {
        abandoned = true;
        notifyAll();
    }

    /**
     * The content of the regular file {@code entry}: the next one the feeder put, or a further
     * name of a file taken before. Waits until it is processed and rethrows its failure.
     */
    ProcessedContent take(ScannedEntry entry) {
        ScannedEntry.FileKey key = entry.fileKey();
        ProcessedContent known = linked.get(key);
        if (known != null) {
            return known;
        }
        Slot next;
        CompletableFuture<ProcessedContent> later;
        synchronized (this) {
            while (head == tail && !closed) {
                waitHere();
            }
            if (head == tail) {
                throw new IllegalStateException("no processed content for " + entry.path());
            }
            next = ring[(int) (head % ring.length)];
            if (!next.key().equals(key)) {
                throw new IllegalStateException("the content of " + entry.path() + " was asked for out of order");
            }
            later = ring[(int) (Math.min(head + AWAIT_BATCH, tail - 1) % ring.length)].content();
            ring[(int) (head++ % ring.length)] = null;
            notifyAll();
        }
        if (!next.content().isDone()) {
            later.handle((c, e) -> null).join();
        }
        ProcessedContent content = ContentProcessor.await(next.content());
        bytes += content.size();
        files++;
        if (entry.linkCount() > 1) {
            linked.put(key, content);
        }
        return content;
    }

    /**
     * Once every row is written: waits for the feeder's end and checks that every file it put
     * was asked for (content put but never taken would be uploaded without a row naming it).
     */
    synchronized void finish() {
        while (!closed) {
            waitHere();
        }
        if (head != tail) {
            throw new IllegalStateException((tail - head) + " processed files were not written into the catalogs");
        }
    }

    /** How many files were taken, each once (a hard link's further names not counted). */
    int files() {
        return files;
    }

    /** Bytes of the files taken, each file once. */
    long bytes() {
        return bytes;
    }

    private void waitHere() {
        try {
            wait();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while the publication's content was passed on", e);
        }
    }
}
