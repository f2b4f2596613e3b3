package org.cvmfs.suite.protocol.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.Arrays;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectPackWriterTest {
    @Test
    void reproducesTheRecordedUpstreamPack() throws Exception {
        ObjectPackReaderTest.Recorded r = ObjectPackReaderTest.Recorded.load(
                Fixtures.gatewayPublication().resolve("exchanges/002-POST-payloads"));
        int headerSize = r.message().headerSizeValue();
        PackHeader recorded = PackHeader.parse(Arrays.copyOf(r.pack(), headerSize));
        ObjectPackWriter writer = new ObjectPackWriter();
        long offset = headerSize;
        for (PackEntry e : recorded.entries()) {
            byte[] object = Arrays.copyOfRange(r.pack(), (int) offset, (int) (offset + e.size()));
            assertTrue(writer.add(e.hash(), e.size(), ObjectPackWriter.ObjectSource.ofBytes(object)));
            offset += e.size();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTo(out);
        assertArrayEquals(r.pack(), out.toByteArray());
        assertEquals(r.message().payloadDigest(), PackHeader.digestOf(writer.header().toBytes()));
    }

    @Test
    void roundTripsThroughTheReader(@TempDir Path repo) throws Exception {
        ObjectPackWriter writer = new ObjectPackWriter();
        byte[][] objects = new byte[5][];
        for (int i = 0; i < objects.length; i++) {
            objects[i] = ("object " + i).repeat(i * 1000 + 1).getBytes();
            ObjectSuffix suffix = i == 0 ? ObjectSuffix.CATALOG : ObjectSuffix.NONE;
            writer.add(ContentHash.compute(HashAlgorithm.SHA1, objects[i], suffix), objects[i].length,
                    ObjectPackWriter.ObjectSource.ofBytes(objects[i]));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        writer.writeTo(out);
        byte[] header = writer.header().toBytes();
        ObjectStore store = new ObjectStore(repo);
        PackSummary s = new ObjectPackReader(store).read(new ByteArrayInputStream(out.toByteArray()), header.length,
                PackHeader.digestOf(header));
        assertEquals(4, s.objectsAdded());
        assertEquals(1, s.catalogsAdded());
    }

    @Test
    void closesAtTheLimitsButTakesOneOversizedObject() {
        ContentHash h = ObjectPackReaderTest.HELLO_HASH;
        ObjectPackWriter.ObjectSource src = ObjectPackWriter.ObjectSource.ofBytes(new byte[0]);
        ObjectPackWriter bySize = new ObjectPackWriter(100, 10);
        assertTrue(bySize.add(h, 500, src), "an empty pack takes an object over the limit");
        assertFalse(bySize.add(h, 1, src));
        ObjectPackWriter fits = new ObjectPackWriter(100, 10);
        assertTrue(fits.add(h, 60, src));
        assertTrue(fits.add(h, 40, src));
        assertFalse(fits.add(h, 1, src));
        assertEquals(100, fits.payloadSize());
        ObjectPackWriter byCount = new ObjectPackWriter(1000, 2);
        assertTrue(byCount.add(h, 1, src));
        assertTrue(byCount.add(h, 1, src));
        assertFalse(byCount.add(h, 1, src));
        assertEquals(2, byCount.objectCount());
        assertThrows(IllegalArgumentException.class, () -> new ObjectPackWriter(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new ObjectPackWriter(1, PackHeader.MAX_OBJECTS + 1));
    }

    @Test
    void sourcesOfTheWrongLengthFailTheStream() {
        ContentHash h = ObjectPackReaderTest.HELLO_HASH;
        ObjectPackWriter shortSource = new ObjectPackWriter();
        shortSource.add(h, 20, ObjectPackWriter.ObjectSource.ofBytes(new byte[10]));
        assertThrows(IOException.class, () -> shortSource.openPayload().readAllBytes());
        ObjectPackWriter longSource = new ObjectPackWriter();
        longSource.add(h, 20, ObjectPackWriter.ObjectSource.ofBytes(new byte[30]));
        assertThrows(IOException.class, () -> longSource.openPayload().readAllBytes());
    }

    @Test
    void opensEachSourceOnlyWhenReached() throws Exception {
        int[] opened = {0};
        ObjectPackWriter writer = new ObjectPackWriter();
        for (int i = 0; i < 3; i++) {
            writer.add(ObjectPackReaderTest.HELLO_HASH, 4, () -> {
                opened[0]++;
                return new ByteArrayInputStream(new byte[4]);
            });
        }
        try (InputStream in = writer.openPayload()) {
            assertEquals(0, opened[0]);
            in.readNBytes(4);
            assertEquals(1, opened[0]);
            assertEquals(8, in.readAllBytes().length);
        }
        assertEquals(3, opened[0]);
    }
}
