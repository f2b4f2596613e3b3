package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.ingest.Compression;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class ContentQueueTest {
    private static ScannedEntry file(String name, long inode, int links) {
        return new ScannedEntry(RepositoryPath.of("/" + name), 0100644, 0, 0, inode, 1, 1, 7, inode, links, "");
    }

    private static ProcessedContent content(long size) {
        ContentHash hash = ContentHash.compute(HashAlgorithm.SHA1, ("c" + size).getBytes(StandardCharsets.UTF_8),
                ObjectSuffix.NONE);
        return ProcessedContent.ofBulk(size, Compression.ZLIB, hash);
    }

    @Test
    void givesEachFileItsContentInOrderAndCountsItsBytesOnce() {
        ContentQueue queue = new ContentQueue(4);
        ScannedEntry a = file("a", 10, 1);
        ScannedEntry b = file("b", 20, 2);
        ScannedEntry c = file("c", 20, 2);
        assertTrue(queue.put(a.fileKey(), CompletableFuture.completedFuture(content(10))));
        assertTrue(queue.put(b.fileKey(), CompletableFuture.completedFuture(content(20))));
        queue.close();
        assertEquals(10, queue.take(a).size());
        ProcessedContent first = queue.take(b);
        // a further name of b (a hard link) gets b's content without a slot of its own
        assertSame(first, queue.take(c));
        queue.finish();
        assertEquals(30, queue.bytes());
    }

    @Test
    void aFileWithOneNameIsNotKeptAfterItsRow() {
        ContentQueue queue = new ContentQueue(4);
        ScannedEntry a = file("a", 10, 1);
        queue.put(a.fileKey(), CompletableFuture.completedFuture(content(10)));
        queue.close();
        queue.take(a);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> queue.take(a));
        assertTrue(e.getMessage().contains("no processed content for /a"), e.getMessage());
    }

    @Test
    void refusesContentAskedForOutOfOrder() {
        ContentQueue queue = new ContentQueue(4);
        queue.put(file("a", 10, 1).fileKey(), CompletableFuture.completedFuture(content(10)));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> queue.take(file("b", 20, 1)));
        assertTrue(e.getMessage().contains("/b was asked for out of order"), e.getMessage());
    }

    @Test
    void theFeederWaitsWhenItIsCapacityAheadAndGoesOnWhenARowIsWritten() throws Exception {
        ContentQueue queue = new ContentQueue(2);
        ScannedEntry a = file("a", 10, 1);
        queue.put(a.fileKey(), CompletableFuture.completedFuture(content(10)));
        queue.put(file("b", 20, 1).fileKey(), CompletableFuture.completedFuture(content(20)));
        AtomicBoolean third = new AtomicBoolean();
        Thread feeder = new Thread(() -> third.set(queue.put(file("c", 30, 1).fileKey(),
                CompletableFuture.completedFuture(content(30)))));
        feeder.start();
        feeder.join(300);
        assertTrue(feeder.isAlive(), "a third file went into a queue of two");
        queue.take(a);
        feeder.join();
        assertTrue(third.get());
    }

    @Test
    void theQueueIsFullAtItsCapacityAlsoOnceItWrappedAround() throws Exception {
        ContentQueue queue = new ContentQueue(2);
        ScannedEntry a = file("a", 10, 1);
        queue.put(a.fileKey(), CompletableFuture.completedFuture(content(10)));
        queue.take(a);
        queue.put(file("b", 20, 1).fileKey(), CompletableFuture.completedFuture(content(20)));
        queue.put(file("c", 30, 1).fileKey(), CompletableFuture.completedFuture(content(30)));
        Thread feeder = new Thread(() -> queue.put(file("d", 40, 1).fileKey(),
                CompletableFuture.completedFuture(content(40))));
        feeder.start();
        feeder.join(300);
        assertTrue(feeder.isAlive(), "a third file went into a queue of two");
        queue.abandon();
        feeder.join();
        // b and c are still there, in order
        assertEquals(20, queue.take(file("b", 20, 1)).size());
        assertEquals(30, queue.take(file("c", 30, 1)).size());
    }

    @Test
    void aFeederWaitingForRoomStopsWhenTheRowsStop() throws Exception {
        ContentQueue queue = new ContentQueue(1);
        queue.put(file("a", 10, 1).fileKey(), CompletableFuture.completedFuture(content(10)));
        AtomicBoolean accepted = new AtomicBoolean(true);
        Thread feeder = new Thread(() -> accepted.set(queue.put(file("b", 20, 1).fileKey(),
                CompletableFuture.completedFuture(content(20)))));
        feeder.start();
        feeder.join(200);
        queue.abandon();
        feeder.join();
        assertFalse(accepted.get());
    }

    @Test
    void waitsForContentStillBeingProcessedAndRethrowsItsFailure() throws Exception {
        ContentQueue queue = new ContentQueue(4);
        ScannedEntry a = file("a", 10, 1);
        ScannedEntry b = file("b", 20, 1);
        CompletableFuture<ProcessedContent> pending = new CompletableFuture<>();
        CompletableFuture<ProcessedContent> failing = new CompletableFuture<>();
        queue.put(a.fileKey(), pending);
        queue.put(b.fileKey(), failing);
        Thread processor = new Thread(() -> {
            sleep(100);
            pending.complete(content(10));
            failing.completeExceptionally(new IllegalStateException("cannot read /b"));
        });
        processor.start();
        assertEquals(10, queue.take(a).size());
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> queue.take(b));
        assertEquals("cannot read /b", e.getMessage());
        processor.join();
    }

    @Test
    void aRowWaitsForTheFeederToPutItsFile() throws Exception {
        ContentQueue queue = new ContentQueue(4);
        ScannedEntry a = file("a", 10, 1);
        Thread feeder = new Thread(() -> {
            sleep(100);
            queue.put(a.fileKey(), CompletableFuture.completedFuture(content(10)));
        });
        feeder.start();
        assertEquals(10, queue.take(a).size());
        feeder.join();
    }

    @Test
    void finishRefusesContentThatNoRowAskedFor() {
        ContentQueue queue = new ContentQueue(4);
        ScannedEntry a = file("a", 10, 1);
        queue.put(a.fileKey(), CompletableFuture.completedFuture(content(10)));
        queue.put(file("b", 20, 1).fileKey(), CompletableFuture.completedFuture(content(20)));
        queue.take(a);
        queue.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, queue::finish);
        assertTrue(e.getMessage().startsWith("1 processed files"), e.getMessage());
    }

    @Test
    void finishWaitsForTheFeedersEnd() throws Exception {
        ContentQueue queue = new ContentQueue(4);
        AtomicBoolean closing = new AtomicBoolean();
        Thread feeder = new Thread(() -> {
            sleep(100);
            closing.set(true);
            queue.close();
        });
        feeder.start();
        queue.finish();
        assertTrue(closing.get(), "finish returned before the feeder closed");
        feeder.join();
    }

    @Test
    void refusesACapacityBelowOne() {
        assertThrows(IllegalArgumentException.class, () -> new ContentQueue(0));
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
