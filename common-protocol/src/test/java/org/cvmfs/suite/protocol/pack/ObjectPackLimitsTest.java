package org.cvmfs.suite.protocol.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Object packs at their exact limits and in the states the recorded exchanges never show: the
 * largest header and object count, a zero byte after the last object, what a summary counts for
 * catalogs, which object a refusal names, and payload streams read byte by byte, cut short or
 * closed unread. Written from the survivors of a PIT run (issue 9).
 */
class ObjectPackLimitsTest {
    @TempDir
    Path tmp;

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static String refusal(byte[] header) {
        return assertThrows(ObjectPackException.class, () -> PackHeader.parse(header)).getMessage();
    }

    @Test
    void headerSizeLimitIsInclusive() {
        String start = "V2\nS0\nN0\n--\n";
        byte[] atLimit = ascii(start + "x".repeat(PackHeader.MAX_HEADER_BYTES - start.length() - 1) + "\n");
        assertEquals(PackHeader.MAX_HEADER_BYTES, atLimit.length);
        assertEquals("pack header announces N0 but has 1 index line(s)", refusal(atLimit));
        byte[] over = ascii(start + "x".repeat(PackHeader.MAX_HEADER_BYTES - start.length()) + "\n");
        assertEquals("pack header of " + (PackHeader.MAX_HEADER_BYTES + 1) + " bytes exceeds "
                + PackHeader.MAX_HEADER_BYTES, refusal(over));
    }

    @Test
    void objectCountLimitIsInclusive() {
        ContentHash h = ContentHash.compute(HashAlgorithm.SHA1, new byte[0], ObjectSuffix.NONE);
        StringBuilder b = new StringBuilder("V2\nS0\nN" + PackHeader.MAX_OBJECTS + "\n--\n");
        String line = "C " + h.toSuffixedText() + " 0\n";
        b.append(line.repeat(PackHeader.MAX_OBJECTS));
        assertEquals(PackHeader.MAX_OBJECTS, PackHeader.parse(ascii(b.toString())).entries().size());
        assertEquals("pack header line 3: N100001 exceeds 100000 objects",
                refusal(ascii("V2\nS0\nN" + (PackHeader.MAX_OBJECTS + 1) + "\n--\n")));
        assertEquals("pack header announces N2 but has 1 index line(s)",
                refusal(ascii("V2\nS0\nN2\n--\n" + line)));
    }

    @Test
    void sizesTakeEighteenDigits() {
        String eighteen = "9".repeat(18);
        assertEquals("pack header: S" + eighteen + " but the objects' sizes add up to 0",
                refusal(ascii("V2\nS" + eighteen + "\nN0\n--\n")));
        assertEquals("pack header line 2: S value '1" + "0".repeat(18) + "' is not a decimal number",
                refusal(ascii("V2\nS1" + "0".repeat(18) + "\nN0\n--\n")));
    }

    @Test
    void refusalsQuoteAtMostAHundredCharacters() {
        String hundred = "x".repeat(100);
        assertEquals("pack header line 1: expected 'V2', got '" + hundred + "'", refusal(ascii(hundred + "\nS0\nN0\n--\n")));
        assertEquals("pack header line 1: expected 'V2', got '" + hundred + "...'",
                refusal(ascii(hundred + "y\nS0\nN0\n--\n")));
        assertEquals("pack header contains a non-ASCII or control byte", refusal(ascii("V2\nS0\nN0\n--\n\u001f\n")));
    }

    @Test
    void ofAddsTheSizesAndEntriesMayBeEmpty() {
        ContentHash a = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {1}, ObjectSuffix.NONE);
        ContentHash c = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {2}, ObjectSuffix.CATALOG);
        PackHeader h = PackHeader.of(List.of(PackEntry.cas(a, 0), PackEntry.cas(c, 7)));
        assertEquals(7, h.payloadSize());
        assertEquals("V2\nS7\nN2\n--\nC " + a.toSuffixedText() + " 0\nC " + c.toSuffixedText() + " 7\n",
                new String(h.toBytes(), StandardCharsets.US_ASCII));
        assertEquals("object size must not be negative, got -1",
                assertThrows(IllegalArgumentException.class, () -> PackEntry.cas(a, -1)).getMessage());
    }

    @Test
    void writerLimitsArePositiveAndTheObjectLimitInclusive() {
        new ObjectPackWriter(1, PackHeader.MAX_OBJECTS);
        for (long[] bad : new long[][] {{0, 1}, {1, 0}, {1, PackHeader.MAX_OBJECTS + 1}}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new ObjectPackWriter(bad[0], (int) bad[1]));
            assertEquals("pack limits must be positive and at most 100000 objects, got " + bad[0] + " bytes / "
                    + bad[1] + " objects", e.getMessage());
        }
        ObjectPackWriter w = new ObjectPackWriter();
        assertTrue(w.isEmpty());
        w.add(ContentHash.compute(HashAlgorithm.SHA1, new byte[] {1}, ObjectSuffix.NONE), 1,
                ObjectPackWriter.ObjectSource.ofBytes(new byte[] {1}));
        assertFalse(w.isEmpty());
    }

    private static final class Tracked {
        final List<String> events = new ArrayList<>();

        ObjectPackWriter.ObjectSource source(String name, byte[] bytes) {
            return () -> {
                events.add("open " + name);
                return new ByteArrayInputStream(bytes) {
                    @Override
                    public void close() {
                        events.add("close " + name);
                    }
                };
            };
        }
    }

    private static ContentHash stored(byte[] b) {
        return ContentHash.compute(HashAlgorithm.SHA1, b, ObjectSuffix.NONE);
    }

    @Test
    void payloadReadsByteByByteAndNeverAnswersZero() throws Exception {
        byte[] one = Zlib.compress("one".getBytes(StandardCharsets.US_ASCII));
        byte[] two = Zlib.compress("second object".getBytes(StandardCharsets.US_ASCII));
        Tracked t = new Tracked();
        ObjectPackWriter w = new ObjectPackWriter();
        w.add(stored(one), one.length, t.source("one", one));
        w.add(stored(two), two.length, t.source("two", two));
        ByteArrayOutputStream single = new ByteArrayOutputStream();
        try (InputStream in = w.openPayload()) {
            int b;
            while ((b = in.read()) >= 0) {
                single.write(b);
            }
        }
        assertArrayEquals(ObjectPackReaderTest.concat(one, two), single.toByteArray());
        assertEquals(List.of("open one", "close one", "open two", "close two"), t.events);
        ByteArrayOutputStream blocks = new ByteArrayOutputStream();
        try (InputStream in = w.openPayload()) {
            byte[] buf = new byte[5];
            assertEquals(0, in.read(buf, 0, 0));
            int n;
            while ((n = in.read(buf, 0, buf.length)) != -1) {
                assertNotEquals(0, n, "read(byte[], off, len > 0) never answers 0");
                blocks.write(buf, 0, n);
            }
        }
        assertArrayEquals(single.toByteArray(), blocks.toByteArray());
    }

    @Test
    void aPayloadClosedUnreadOpensNothing() throws Exception {
        Tracked t = new Tracked();
        ObjectPackWriter w = new ObjectPackWriter();
        w.add(stored(new byte[] {1}), 1, t.source("a", new byte[] {1}));
        w.add(stored(new byte[] {2}), 1, t.source("b", new byte[] {2}));
        w.openPayload().close();
        assertEquals(List.of(), t.events);
    }

    @Test
    void aShortSourceIsNamedWithHowFarItGot() {
        byte[] five = {1, 2, 3, 4, 5};
        ObjectPackWriter w = new ObjectPackWriter();
        ContentHash h = stored(five);
        w.add(h, 5, ObjectPackWriter.ObjectSource.ofBytes(new byte[] {1, 2}));
        IOException e = assertThrows(IOException.class, () -> w.openPayload().readAllBytes());
        assertEquals("object " + h + " ended after 2 of 5 bytes", e.getMessage());
    }

    @Test
    void readerCountsCatalogBytesNamesTheBadObjectAndRefusesATrailingZero() throws Exception {
        ObjectStore store = new ObjectStore(tmp.resolve("repo"));
        store.createSkeleton();
        byte[] file = Zlib.compress("file".getBytes(StandardCharsets.US_ASCII));
        byte[] catalog = Zlib.compress("catalog".getBytes(StandardCharsets.US_ASCII));
        ContentHash f = stored(file);
        ContentHash c = stored(catalog).withSuffix(ObjectSuffix.CATALOG);
        byte[] header = PackHeader.of(List.of(PackEntry.cas(f, file.length), PackEntry.cas(c, catalog.length))).toBytes();
        String digest = PackHeader.digestOf(header);
        byte[] body = ObjectPackReaderTest.concat(header, file, catalog);

        byte[] trailing = ObjectPackReaderTest.concat(body, new byte[] {0});
        assertEquals("unexpected bytes after the last object of the pack (S" + (file.length + catalog.length) + ")",
                assertThrows(ObjectPackException.class, () -> new ObjectPackReader(store)
                        .read(new ByteArrayInputStream(trailing), header.length, digest)).getMessage());

        byte[] badSecond = body.clone();
        badSecond[badSecond.length - 1] ^= 1;
        ObjectPackException bad = assertThrows(ObjectPackException.class, () -> new ObjectPackReader(
                new ObjectStore(tmp.resolve("other"))).read(new ByteArrayInputStream(badSecond), header.length, digest));
        assertTrue(bad.getMessage().startsWith("pack object 2 of 2: "), bad.getMessage());

        ObjectStore fresh = new ObjectStore(tmp.resolve("fresh"));
        fresh.createSkeleton();
        PackSummary s = new ObjectPackReader(fresh).read(new ByteArrayInputStream(body), header.length, digest);
        assertEquals(new PackSummary(1, 0, 1, file.length + catalog.length, catalog.length), s);
    }

    @Test
    void headerSizeMustBeOneToTheLimit() {
        for (long size : new long[] {0, PackHeader.MAX_HEADER_BYTES + 1L}) {
            ObjectPackException e = assertThrows(ObjectPackException.class,
                    () -> ObjectPackReader.readHeader(new ByteArrayInputStream(new byte[0]), size, "x"));
            assertEquals("header_size " + size + " is outside 1.." + PackHeader.MAX_HEADER_BYTES, e.getMessage());
        }
        ObjectPackException truncated = assertThrows(ObjectPackException.class, () -> ObjectPackReader.readHeader(
                new ByteArrayInputStream(new byte[3]), PackHeader.MAX_HEADER_BYTES, "x"));
        assertEquals("object pack header truncated: 3 of " + PackHeader.MAX_HEADER_BYTES + " bytes", truncated.getMessage());
    }
}
