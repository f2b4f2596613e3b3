package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.IngestSettings;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;
import org.cvmfs.suite.protocol.ingest.StagedObject;
import org.cvmfs.suite.protocol.ingest.ChunkDetector;
import org.cvmfs.suite.protocol.pack.ObjectPackReader;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.pack.PackHeader;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackUploaderTest {
    @TempDir
    Path tmp;

    /** Receives packs the way the gateway does: header digest checked, every object verified. */
    private PackUploader.PayloadTarget receiver(ObjectStore store, List<Integer> packSizes) {
        return pack -> {
            try {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                pack.writeTo(body);
                byte[] header = pack.header().toBytes();
                new ObjectPackReader(store).read(new java.io.ByteArrayInputStream(body.toByteArray()), header.length,
                        PackHeader.digestOf(header));
                packSizes.add(pack.objectCount());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
    }

    @Test
    void processedFilesArriveInSeveralPacksEachObjectOnce() throws Exception {
        Random random = new Random(8);
        List<Path> files = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            byte[] b = new byte[i % 5 == 0 ? 40_000 : 3000];
            random.nextBytes(b);
            files.add(Files.write(tmp.resolve("f" + i), b));
        }
        files.add(Files.write(tmp.resolve("dup"), Files.readAllBytes(files.get(3))));
        ObjectStore gateway = new ObjectStore(tmp.resolve("gateway"));
        List<Integer> packs = new CopyOnWriteArrayList<>();
        Path spool = tmp.resolve("spool");
        List<ProcessedContent> results;
        try (PackUploader uploader = new PackUploader(receiver(gateway, packs), spool, 50_000, 100, 1);
             ContentProcessor processor = new ContentProcessor(
                     IngestSettings.defaults().withChunking(new ChunkDetector(1024, 4096, 16384)), uploader, 3, spool)) {
            results = processor.processAll(files);
            uploader.finish();
            assertEquals(packs.size(), uploader.uploadedPacks());
        }
        assertTrue(packs.size() > 3, "packs: " + packs);
        int distinct = (int) results.stream().flatMap(r -> r.objects().stream()).distinct().count();
        assertEquals(distinct, packs.stream().mapToInt(Integer::intValue).sum());
        for (int i = 0; i < files.size(); i++) {
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            for (ContentHash h : results.get(i).objects()) {
                content.write(Zlib.inflate(gateway.readStored(h), 1 << 20));
            }
            assertArrayEquals(Files.readAllBytes(files.get(i)), content.toByteArray());
        }
        try (var left = Files.list(spool)) {
            assertEquals(0, left.count(), "spool files left");
        }
    }

    @Test
    void uploadFailureStopsProcessingAndIsRethrown() throws Exception {
        Path spool = tmp.resolve("spool");
        PackUploader uploader = new PackUploader(pack -> {
            throw new IllegalStateException("gateway said: invalid token");
        }, spool, 10, 100, 1);
        try {
            for (int i = 0; i < 5; i++) {
                try {
                    uploader.accept(object(i), staged(new byte[] {(byte) i, 1, 2}));
                } catch (IllegalStateException expected) {
                    break;
                }
                Thread.sleep(20);
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, uploader::finish);
            assertTrue(e.getMessage().contains("invalid token"), e.getMessage());
        } finally {
            uploader.close();
        }
        try (var left = Files.list(spool)) {
            assertEquals(0, left.count(), "spool files left");
        }
    }

    @Test
    void closingWithoutFinishingDiscardsPendingPacks() throws Exception {
        Path spool = tmp.resolve("spool");
        List<Integer> packs = new CopyOnWriteArrayList<>();
        PackUploader uploader = new PackUploader(receiver(new ObjectStore(tmp.resolve("gw")), packs), spool,
                ObjectPackWriter.DEFAULT_MAX_PAYLOAD_BYTES, 100, 1);
        uploader.accept(object(1), staged(new byte[] {1}));
        uploader.close();
        assertEquals(List.of(), packs);
        try (var left = Files.list(spool)) {
            assertEquals(0, left.count());
        }
        assertThrows(IllegalStateException.class, uploader::finish);
    }

    @Test
    void aPackStreamedAgainFromItsStartYieldsTheSameVerifiedBytes() throws Exception {
        // the spool file is read once front to back; a resent request starts it over
        List<byte[]> bodies = new CopyOnWriteArrayList<>();
        try (PackUploader uploader = new PackUploader(pack -> {
            for (int attempt = 0; attempt < 2; attempt++) {
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                try {
                    pack.writeTo(body);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                bodies.add(body.toByteArray());
            }
        }, tmp.resolve("spool"), ObjectPackWriter.DEFAULT_MAX_PAYLOAD_BYTES, 100, 1)) {
            for (int i = 0; i < 3; i++) {
                uploader.accept(object(i), staged(new byte[] {(byte) i, 1, 2}));
            }
            uploader.finish();
        }
        assertEquals(2, bodies.size());
        assertArrayEquals(bodies.get(0), bodies.get(1));
        ObjectStore store = new ObjectStore(tmp.resolve("gw"));
        byte[] body = bodies.get(1);
        int headerSize = body.length - 3 * 3;  // three objects of three bytes follow the header
        byte[] header = java.util.Arrays.copyOf(body, headerSize);
        new ObjectPackReader(store).read(new java.io.ByteArrayInputStream(body), headerSize, PackHeader.digestOf(header));
        for (int i = 0; i < 3; i++) {
            assertArrayEquals(new byte[] {(byte) i, 1, 2}, store.readStored(object(i)));
        }
    }

    @Test
    void anObjectStoredInAFileGoesIntoThePackAsItIsThere() throws Exception {
        byte[] stored = Zlib.compress(new byte[300_000]);
        Path file = Files.write(tmp.resolve("catalog"), stored);
        ContentHash hash = ContentHash.compute(HashAlgorithm.SHA1, stored, ObjectSuffix.CATALOG);
        ObjectStore gateway = new ObjectStore(tmp.resolve("gateway"));
        List<Integer> packs = new CopyOnWriteArrayList<>();
        try (PackUploader uploader = new PackUploader(receiver(gateway, packs), tmp.resolve("spool"))) {
            uploader.accept(object(1), staged(new byte[] {1, 1, 2}));
            uploader.accept(hash, file);
            uploader.accept(hash, file);
            uploader.finish();
        }
        assertEquals(List.of(2), packs, "one pack, each object once");
        assertArrayEquals(stored, gateway.readStored(hash));
        assertArrayEquals(stored, Files.readAllBytes(file), "the file is left as it was");
    }

    @Test
    void remembersTheLatestObjectsSentNotAllOfThem() throws Exception {
        List<Integer> packs = new CopyOnWriteArrayList<>();
        try (PackUploader uploader = new PackUploader(pack -> packs.add(pack.objectCount()), tmp.resolve("spool"),
                ObjectPackWriter.DEFAULT_MAX_PAYLOAD_BYTES, PackHeader.MAX_OBJECTS, 1)) {
            for (int i = 0; i <= PackUploader.REMEMBERED; i++) {
                byte[] b = java.nio.ByteBuffer.allocate(4).putInt(i).array();
                uploader.accept(ContentHash.compute(HashAlgorithm.SHA1, b, ObjectSuffix.NONE), staged(b));
            }
            byte[] latest = java.nio.ByteBuffer.allocate(4).putInt(PackUploader.REMEMBERED).array();
            uploader.accept(ContentHash.compute(HashAlgorithm.SHA1, latest, ObjectSuffix.NONE), staged(latest));
            byte[] first = java.nio.ByteBuffer.allocate(4).putInt(0).array();
            uploader.accept(ContentHash.compute(HashAlgorithm.SHA1, first, ObjectSuffix.NONE), staged(first));
            uploader.finish();
        }
        // the latest one is not sent twice; the first one, forgotten since, is
        assertEquals(PackUploader.REMEMBERED + 2, packs.stream().mapToInt(Integer::intValue).sum());
    }

    private static ContentHash object(int i) {
        return ContentHash.compute(HashAlgorithm.SHA1, new byte[] {(byte) i, 1, 2}, ObjectSuffix.NONE);
    }

    private StagedObject staged(byte[] bytes) {
        StagedObject s = new StagedObject(tmp.resolve("staging"), 1024);
        s.write(bytes, 0, bytes.length);
        s.seal();
        return s;
    }
}
