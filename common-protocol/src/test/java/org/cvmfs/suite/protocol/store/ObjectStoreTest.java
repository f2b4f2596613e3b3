package org.cvmfs.suite.protocol.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectStoreTest {
    @TempDir
    Path repo;

    @Test
    void storesStreamedBytesUnderTheNameTheyHashTo() throws Exception {
        ObjectStore store = new ObjectStore(repo);
        byte[] stored = Zlib.compress("a catalog written piece by piece".repeat(5000).getBytes(StandardCharsets.US_ASCII));
        ContentHash h = store.putStreamed(HashAlgorithm.SHA1, ObjectSuffix.CATALOG, out -> {
            out.write(stored[0]);
            for (int at = 1; at < stored.length; at += 1000) {
                out.write(stored, at, Math.min(1000, stored.length - at));
            }
        });
        assertEquals(ContentHash.compute(HashAlgorithm.SHA1, stored, ObjectSuffix.CATALOG), h);
        assertArrayEquals(stored, store.readStored(h));
        // the same bytes again: one object, the same name
        assertEquals(h, store.putStreamed(HashAlgorithm.SHA1, ObjectSuffix.CATALOG, out -> out.write(stored)));
        assertTxnEmpty();
    }

    @Test
    void aStreamThatFailsLeavesNoObjectAndNoTemporaryFile() throws Exception {
        ObjectStore store = new ObjectStore(repo);
        store.createSkeleton();
        java.io.UncheckedIOException e = assertThrows(java.io.UncheckedIOException.class,
                () -> store.putStreamed(HashAlgorithm.SHA1, ObjectSuffix.CATALOG, out -> {
                    out.write(new byte[100_000]);
                    throw new java.io.IOException("catalog.sqlite ended early");
                }));
        assertTrue(e.getCause().getMessage().contains("ended early"), e.toString());
        assertTxnEmpty();
        try (Stream<Path> objects = Files.walk(repo.resolve("data"))) {
            assertEquals(0, objects.filter(Files::isRegularFile).count());
        }
    }

    @Test
    void storesCompressedObjectUnderItsName() throws Exception {
        ObjectStore store = new ObjectStore(repo);
        store.createSkeleton();
        byte[] content = "New CernVM-FS repository for test.example.org\n".getBytes(StandardCharsets.US_ASCII);
        ContentHash h = store.putCompressed(content, HashAlgorithm.SHA1, ObjectSuffix.NONE);
        assertTrue(Files.isRegularFile(repo.resolve("data").resolve(h.objectPath())));
        assertArrayEquals(content, Zlib.inflate(store.readStored(h), 1 << 20));
        assertTrue(Files.isDirectory(repo.resolve("data/ff")));
        assertTxnEmpty();
    }

    @Test
    void twoWritersOfTheSameObjectLeaveOneValidObject() throws Exception {
        ObjectStore store = new ObjectStore(repo);
        byte[] content = new byte[3 << 20];
        new Random(7).nextBytes(content);
        byte[] stored = Zlib.compress(content);
        ContentHash expected = ContentHash.compute(HashAlgorithm.SHA1, stored, ObjectSuffix.PARTIAL);
        int writers = 8;
        CyclicBarrier start = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < writers; i++) {
                final boolean streamed = i % 2 == 0;
                done.add(pool.submit(() -> {
                    start.await();
                    if (streamed) {
                        store.putVerified(expected, new ByteArrayInputStream(stored), stored.length);
                    } else {
                        store.putStored(stored, HashAlgorithm.SHA1, ObjectSuffix.PARTIAL);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertArrayEquals(stored, store.readStored(expected));
        assertTxnEmpty();
    }

    @Test
    void refusesBytesThatDoNotMatchTheirName() throws Exception {
        ObjectStore store = new ObjectStore(repo);
        byte[] stored = Zlib.compress("payload".getBytes(StandardCharsets.US_ASCII));
        ContentHash other = ContentHash.compute(HashAlgorithm.SHA1, Zlib.compress(new byte[1]), ObjectSuffix.NONE);
        CorruptObjectException e = assertThrows(CorruptObjectException.class,
                () -> store.putVerified(other, new ByteArrayInputStream(stored), stored.length));
        assertTrue(e.getMessage().contains("not to their name"), e.getMessage());
        assertFalse(store.contains(other));
        assertTxnEmpty();
    }

    @Test
    void refusesATruncatedStream() throws Exception {
        ObjectStore store = new ObjectStore(repo);
        byte[] stored = Zlib.compress("payload".getBytes(StandardCharsets.US_ASCII));
        ContentHash h = ContentHash.compute(HashAlgorithm.SHA1, stored, ObjectSuffix.NONE);
        CorruptObjectException e = assertThrows(CorruptObjectException.class,
                () -> store.putVerified(h, new ByteArrayInputStream(stored, 0, 3), stored.length));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertFalse(store.contains(h));
        assertTxnEmpty();
    }

    @Test
    void detectsAnObjectCorruptedOnDisk() throws Exception {
        ObjectStore store = new ObjectStore(repo);
        ContentHash h = store.putCompressed(new byte[100], HashAlgorithm.SHA1, ObjectSuffix.NONE);
        Files.write(store.pathOf(h), new byte[] {1, 2, 3});
        assertThrows(CorruptObjectException.class, () -> store.readStored(h));
        assertThrows(MissingObjectException.class,
                () -> store.readStored(ContentHash.compute(HashAlgorithm.SHA1, new byte[1], ObjectSuffix.NONE)));
    }

    @Test
    void streamsAnObjectAndVerifiesItAtItsEnd() throws Exception {
        ObjectStore store = new ObjectStore(repo);
        byte[] content = new byte[300_000];
        new Random(5).nextBytes(content);
        ContentHash h = store.putCompressed(content, HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
        byte[] stored = store.readStored(h);
        try (InputStream in = store.openStored(h)) {
            assertEquals(stored[0] & 0xff, in.read());
            assertArrayEquals(Arrays.copyOfRange(stored, 1, stored.length), in.readAllBytes());
            assertEquals(-1, in.read());
        }
        byte[] damaged = store.readStored(h);
        damaged[damaged.length - 1] ^= 1;
        Files.write(store.pathOf(h), damaged);
        try (InputStream in = store.openStored(h)) {
            // every byte but the last is handed out; the end of the stream says they are not the object
            assertEquals(damaged.length - 1, in.readNBytes(damaged.length - 1).length);
            assertEquals("object " + h + " does not hash to its name",
                    assertThrows(CorruptObjectException.class, () -> in.skip(10)).getMessage());
        }
        assertThrows(MissingObjectException.class,
                () -> store.openStored(ContentHash.compute(HashAlgorithm.SHA1, new byte[1], ObjectSuffix.NONE)));
    }

    @Test
    void inflateRefusesTruncatedTrailingAndOversizedStreams() {
        byte[] stored = Zlib.compress(new byte[10_000]);
        assertThrows(CorruptObjectException.class, () -> Zlib.inflate(java.util.Arrays.copyOf(stored, stored.length - 5), 1 << 20));
        byte[] trailing = java.util.Arrays.copyOf(stored, stored.length + 1);
        assertThrows(CorruptObjectException.class, () -> Zlib.inflate(trailing, 1 << 20));
        assertThrows(CorruptObjectException.class, () -> Zlib.inflate(stored, 100));
        assertThrows(CorruptObjectException.class, () -> Zlib.inflate(new byte[] {1, 2, 3, 4}, 100));
        assertEquals(10_000, Zlib.inflate(stored, 10_000).length);
    }

    private void assertTxnEmpty() throws Exception {
        Path txn = repo.resolve("data/txn");
        if (Files.isDirectory(txn)) {
            try (Stream<Path> s = Files.list(txn)) {
                assertEquals(0, s.count(), "leftovers in data/txn");
            }
        }
    }
}
