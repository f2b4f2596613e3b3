package org.cvmfs.suite.protocol.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class ContentProcessorTest {
    /** Small chunk sizes so that chunking shows up in kilobyte-sized files. */
    private static final ChunkDetector SMALL = new ChunkDetector(1024, 4096, 16384);
    private static final IngestSettings SETTINGS = IngestSettings.defaults().withChunking(SMALL);

    @TempDir
    Path tmp;

    @ParameterizedTest
    @EnumSource(DeflateLibrary.class)
    void emptyFileIsTheWellKnownEmptyObject(DeflateLibrary library) throws Exception {
        Path f = write("empty", new byte[0]);
        ObjectStore store = store("repo");
        try (ContentProcessor p = processor(SETTINGS.withDeflateLibrary(library), new ObjectStoreSink(store), 1)) {
            ProcessedContent c = ContentProcessor.await(p.submit(f));
            assertEquals(0, c.size());
            assertEquals(ContentHash.parse("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78", ObjectSuffix.NONE), c.bulk().orElseThrow());
            assertEquals(c, p.process(InputStream.nullInputStream(), "empty"));
        }
    }

    @ParameterizedTest
    @EnumSource(DeflateLibrary.class)
    void objectsInflateBackToTheFileAndChunksKeepTheirInvariants(DeflateLibrary library) throws Exception {
        ObjectStore store = store("repo");
        Random random = new Random(11);
        int[] sizes = {1, 100, 1024, 1025, 4095, 16384, 16385, 70_000, 300_000};
        try (ContentProcessor p = processor(SETTINGS.withDeflateLibrary(library), new ObjectStoreSink(store), 3)) {
            for (int size : sizes) {
                byte[] content = compressible(random, size);
                ProcessedContent c = ContentProcessor.await(p.submit(write("f" + size, content)));
                assertEquals(size, c.size());
                assertArrayEquals(content, reassemble(store, c), "size " + size);
                if (c.isChunked()) {
                    for (int i = 0; i < c.chunks().size(); i++) {
                        long len = c.chunks().get(i).size();
                        assertTrue(len <= SMALL.maxSize(), "chunk of " + len);
                        if (i < c.chunks().size() - 1) {
                            assertTrue(len >= SMALL.minSize(), "chunk of " + len);
                        }
                    }
                } else {
                    assertTrue(size <= SMALL.maxSize(), size + " bytes stored in one piece");
                }
            }
        }
        assertTxnEmpty(store);
    }

    @ParameterizedTest
    @EnumSource(DeflateLibrary.class)
    void parallelSpilledAndStreamedProcessingGiveTheSameObjects(DeflateLibrary library) throws Exception {
        IngestSettings settings = SETTINGS.withDeflateLibrary(library);
        Random random = new Random(5);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            int size = i % 10 == 0 ? 50_000 + random.nextInt(200_000) : random.nextInt(5000);
            files.add(write("p" + i, compressible(random, size)));
        }
        ObjectStore sequentialStore = store("seq");
        List<ProcessedContent> sequential = new ArrayList<>();
        try (ContentProcessor p = processor(settings, new ObjectStoreSink(sequentialStore), 1)) {
            for (Path f : files) {
                try (InputStream in = Files.newInputStream(f)) {
                    sequential.add(p.process(in, f.toString()));
                }
            }
        }
        ObjectStore parallelStore = store("par");
        List<ProcessedContent> parallel;
        // a tiny staging limit forces every object through a spill file
        try (ContentProcessor p = new ContentProcessor(settings, new ObjectStoreSink(parallelStore), 4,
                tmp.resolve("spill"), 100)) {
            parallel = p.processAll(files);
        }
        assertEquals(sequential, parallel);
        assertEquals(listObjects(sequentialStore), listObjects(parallelStore));
        try (Stream<Path> left = Files.list(tmp.resolve("spill"))) {
            assertEquals(0, left.count(), "spill files left behind");
        }
    }

    @Test
    void theSettingsLibraryWritesTheObjectsOfZlibContentOnly() throws Exception {
        assumeTrue(DeflateLibrary.LIBDEFLATE.availableHere(), "libdeflate is not found here");
        Path f = write("text", compressible(new Random(12), 12_000));
        IngestSettings libdeflate = SETTINGS.withDeflateLibrary(DeflateLibrary.LIBDEFLATE);
        IngestSettings raw = new IngestSettings(HashAlgorithm.SHA1, Compression.NONE, Optional.of(SMALL));
        ProcessedContent byZlib;
        ProcessedContent byLibdeflate;
        try (ContentProcessor p = processor(SETTINGS, new ObjectStoreSink(store("zlib")), 1)) {
            byZlib = ContentProcessor.await(p.submit(f));
        }
        try (ContentProcessor p = processor(libdeflate, new ObjectStoreSink(store("libdeflate")), 1)) {
            byLibdeflate = ContentProcessor.await(p.submit(f));
        }
        assertEquals(byZlib.size(), byLibdeflate.size());
        assertFalse(byZlib.objects().equals(byLibdeflate.objects()), "libdeflate asked for, zlib's bytes written");
        try (ContentProcessor p = processor(raw, new ObjectStoreSink(store("raw")), 1);
             ContentProcessor q = processor(raw.withDeflateLibrary(DeflateLibrary.LIBDEFLATE),
                     new ObjectStoreSink(store("raw-libdeflate")), 1)) {
            assertEquals(ContentProcessor.await(p.submit(f)), ContentProcessor.await(q.submit(f)),
                    "uncompressed content is the same whatever the library");
        }
    }

    @Test
    void streamEndingExactlyAtAHardCutIsStoredInOnePiece() throws Exception {
        byte[] zeros = new byte[(int) SMALL.maxSize()];
        ObjectStore store = store("repo");
        try (ContentProcessor p = processor(SETTINGS, new ObjectStoreSink(store), 1)) {
            ProcessedContent streamed = p.process(new ByteArrayInputStream(zeros), "zeros");
            assertFalse(streamed.isChunked());
            assertEquals(streamed, ContentProcessor.await(p.submit(write("zeros", zeros))));
            byte[] twice = new byte[2 * zeros.length];
            ProcessedContent two = p.process(new ByteArrayInputStream(twice), "zeros2");
            assertEquals(List.of(0L, SMALL.maxSize()), two.chunks().stream().map(Chunk::offset).toList());
            assertEquals(two, ContentProcessor.await(p.submit(write("zeros2", twice))));
            assertEquals(two.chunks().get(0).hash(), two.chunks().get(1).hash());
        }
        assertEquals(2, listObjects(store).size(), "the bulk object and the one shared chunk");
    }

    @Test
    void uncompressedAndOtherAlgorithmsNameTheRawBytes() throws Exception {
        byte[] content = compressible(new Random(2), 50_000);
        Path f = write("raw", content);
        IngestSettings raw = new IngestSettings(HashAlgorithm.SHAKE128, Compression.NONE, Optional.of(SMALL));
        ObjectStore store = store("repo");
        try (ContentProcessor p = processor(raw, new ObjectStoreSink(store), 2)) {
            ProcessedContent c = ContentProcessor.await(p.submit(f));
            assertTrue(c.isChunked());
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            for (Chunk chunk : c.chunks()) {
                assertEquals(HashAlgorithm.SHAKE128, chunk.hash().algorithm());
                joined.write(store.readStored(chunk.hash()));
            }
            assertArrayEquals(content, joined.toByteArray());
        }
        try (ContentProcessor p = processor(IngestSettings.defaults().withoutChunking(), new ObjectStoreSink(store), 2)) {
            ProcessedContent c = ContentProcessor.await(p.submit(f));
            assertFalse(c.isChunked());
            assertArrayEquals(content, Zlib.inflate(store.readStored(c.bulk().orElseThrow()), content.length));
        }
    }

    @Test
    void fileGrowingDuringPublicationIsRefused() throws Exception {
        byte[] content = compressible(new Random(9), 40_000);
        Path f = write("growing", content);
        // one thread runs the chunk tasks in order: the first chunk's sink call grows the file
        // before the last chunk checks the end
        ObjectSink growing = (hash, object) -> append(f, new byte[10]);
        try (ContentProcessor p = processor(SETTINGS, growing, 1)) {
            IngestException e = assertThrows(IngestException.class, () -> ContentProcessor.await(p.submit(f)));
            assertTrue(e.getMessage().contains("grew") && e.getMessage().contains(f.toString()), e.getMessage());
        }
    }

    @Test
    void fileShrinkingDuringPublicationIsRefused() throws Exception {
        byte[] content = compressible(new Random(9), 40_000);
        Path f = write("shrinking", content);
        ObjectSink truncating = (hash, object) -> truncate(f, 100);
        try (ContentProcessor p = processor(SETTINGS, truncating, 1)) {
            IngestException e = assertThrows(IngestException.class, () -> ContentProcessor.await(p.submit(f)));
            assertTrue(e.getMessage().contains("shrank"), e.getMessage());
        }
    }

    @Test
    void sinkFailureReachesTheCallerAndLeavesNoSpillFiles() throws Exception {
        Path f = write("f", compressible(new Random(1), 100_000));
        ObjectSink failing = (hash, object) -> {
            throw new UncheckedIOException(new IOException("disk full"));
        };
        try (ContentProcessor p = new ContentProcessor(SETTINGS, failing, 2, tmp.resolve("spill"), 10)) {
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> p.processAll(List.of(f)));
            assertTrue(e.getMessage().contains("disk full"));
            assertThrows(UncheckedIOException.class, () -> p.process(Files.newInputStream(f), "f"));
        }
        try (Stream<Path> left = Files.list(tmp.resolve("spill"))) {
            assertEquals(0, left.count());
        }
    }

    @Test
    void aFileOfAnotherSizeThanTheCallerKnowsIsRefused() throws Exception {
        Path f = write("f", compressible(new Random(2), 100));
        try (ContentProcessor p = processor(SETTINGS, (h, o) -> { }, 1)) {
            IngestException grew = assertThrows(IngestException.class, () -> ContentProcessor.await(p.submit(f, 50)));
            assertTrue(grew.getMessage().contains("grew"), grew.getMessage());
            IngestException shrank = assertThrows(IngestException.class, () -> ContentProcessor.await(p.submit(f, 150)));
            assertTrue(shrank.getMessage().contains("shrank"), shrank.getMessage());
            assertEquals(100, ContentProcessor.await(p.submit(f, 100)).size());
        }
    }

    @Test
    void missingFileIsNamedInTheError() {
        Path missing = tmp.resolve("nope");
        try (ContentProcessor p = processor(SETTINGS, (h, o) -> { }, 1)) {
            IngestException e = assertThrows(IngestException.class, () -> p.submit(missing));
            assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
        }
    }

    @Test
    void duplicateContentAcrossThreadsIsStoredOnce() throws Exception {
        byte[] content = compressible(new Random(4), 30_000);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            files.add(write("dup" + i, content));
        }
        Map<ContentHash, Integer> seen = new ConcurrentHashMap<>();
        ObjectStore store = store("repo");
        ObjectStoreSink storeSink = new ObjectStoreSink(store);
        try (ContentProcessor p = processor(SETTINGS, (h, o) -> {
            seen.merge(h, 1, Integer::sum);
            storeSink.accept(h, o);
        }, 4)) {
            List<ProcessedContent> results = p.processAll(files);
            assertEquals(1, results.stream().distinct().count());
        }
        assertEquals(seen.keySet().stream().map(ContentHash::objectPath).sorted().toList(), listObjects(store));
        assertTxnEmpty(store);
    }

    @Test
    void submitWaitsWhileFourTasksPerThreadAreUnfinished() throws Exception {
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            files.add(write("w" + i, new byte[] {(byte) i}));
        }
        Semaphore sinkGate = new Semaphore(0);
        AtomicInteger submitted = new AtomicInteger();
        try (ContentProcessor p = processor(SETTINGS, (h, o) -> sinkGate.acquireUninterruptibly(), 2)) {
            Thread feeder = new Thread(() -> files.forEach(f -> {
                p.submit(f);
                submitted.incrementAndGet();
            }));
            feeder.start();
            for (long end = System.nanoTime() + 5_000_000_000L; submitted.get() < 8 && System.nanoTime() < end; ) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
            assertEquals(8, submitted.get(), "no task could finish: the ninth submit (two threads) waits");
            sinkGate.release(files.size());
            feeder.join(5_000);
            assertEquals(files.size(), submitted.get());
        }
    }

    private ContentProcessor processor(IngestSettings settings, ObjectSink sink, int threads) {
        return new ContentProcessor(settings, sink, threads, tmp.resolve("spill"));
    }

    private ObjectStore store(String name) {
        ObjectStore s = new ObjectStore(tmp.resolve(name));
        s.createSkeleton();
        return s;
    }

    private Path write(String name, byte[] content) throws IOException {
        return Files.write(tmp.resolve(name), content);
    }

    private static void append(Path f, byte[] extra) {
        try {
            Files.write(f, extra, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void truncate(Path f, long size) {
        try (var ch = java.nio.channels.FileChannel.open(f, StandardOpenOption.WRITE)) {
            ch.truncate(size);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Text-like bytes: compressible, but with enough entropy to give content-defined cuts. */
    static byte[] compressible(Random random, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (random.nextInt(4) == 0 ? random.nextInt(256) : 'a' + random.nextInt(8));
        }
        return b;
    }

    private static byte[] reassemble(ObjectStore store, ProcessedContent c) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ContentHash h : c.objects()) {
            out.write(Zlib.inflate(store.readStored(h), c.size()));
        }
        return out.toByteArray();
    }

    private static List<String> listObjects(ObjectStore store) throws IOException {
        try (Stream<Path> all = Files.walk(store.dataDir())) {
            return all.filter(Files::isRegularFile)
                    .map(p -> store.dataDir().relativize(p).toString())
                    .filter(p -> !p.startsWith("txn"))
                    .sorted().toList();
        }
    }

    private static void assertTxnEmpty(ObjectStore store) throws IOException {
        try (Stream<Path> left = Files.list(store.dataDir().resolve("txn"))) {
            assertEquals(0, left.count());
        }
    }
}
