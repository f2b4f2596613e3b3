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

    /** Puts {@code f} with its content ready, as the feeder does once the processor is done with it. */
    private static boolean put(ContentQueue queue, ScannedEntry f) {
        return queue.put(f.fileKey(), CompletableFuture.completedFuture(content(f.size())));
    }

    /** A feeder thread putting one file; what {@code put} answered, once it returned. */
    private record Feeder(Thread thread, AtomicBoolean answer) {
        static Feeder putting(ContentQueue queue, ScannedEntry f) {
            AtomicBoolean accepted = new AtomicBoolean();
            Thread thread = new Thread(() -> accepted.set(put(queue, f)));
            thread.start();
            return new Feeder(thread, accepted);
        }

        void assertWaitingForRoom() throws InterruptedException {
            thread.join(300);
            assertTrue(thread.isAlive(), "a file went into a full queue");
        }

        boolean accepted() throws InterruptedException {
            thread.join();
            return answer.get();
        }
    }

    @Test
    void theFeederWaitsWhenItIsCapacityAheadAndGoesOnWhenARowIsWritten() throws Exception {
        ContentQueue queue = new ContentQueue(2);
        ScannedEntry a = file("a", 10, 1);
        put(queue, a);
        put(queue, file("b", 20, 1));
        Feeder third = Feeder.putting(queue, file("c", 30, 1));
        third.assertWaitingForRoom();
        queue.take(a);
        assertTrue(third.accepted());
    }

    @Test
    void theQueueIsFullAtItsCapacityAlsoOnceItWrappedAround() throws Exception {
        ContentQueue queue = new ContentQueue(2);
        ScannedEntry a = file("a", 10, 1);
        put(queue, a);
        queue.take(a);
        put(queue, file("b", 20, 1));
        put(queue, file("c", 30, 1));
        Feeder third = Feeder.putting(queue, file("d", 40, 1));
        third.assertWaitingForRoom();
        queue.abandon();
        assertFalse(third.accepted());
        // b and c are still there, in order
        assertEquals(20, queue.take(file("b", 20, 1)).size());
        assertEquals(30, queue.take(file("c", 30, 1)).size());
    }

    @Test
    void aFeederWaitingForRoomStopsWhenTheRowsStop() throws Exception {
        ContentQueue queue = new ContentQueue(1);
        put(queue, file("a", 10, 1));
        Feeder second = Feeder.putting(queue, file("b", 20, 1));
        second.assertWaitingForRoom();
        queue.abandon();
        assertFalse(second.accepted());
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
