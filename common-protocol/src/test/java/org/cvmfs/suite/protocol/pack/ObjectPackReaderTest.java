package org.cvmfs.suite.protocol.pack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.gateway.PayloadMessage;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectPackReaderTest {
    /** zlib of "hello world\n", the spec's worked example. */
    static final byte[] HELLO = HexFormat.of().parseHex("789ccb48cdc9c95728cf2fca49e102001e720467");
    static final ContentHash HELLO_HASH = ContentHash.parse("ff049c626904064d641feca0e9936e5b211807c6", ObjectSuffix.NONE);

    @TempDir
    Path repo;
    ObjectStore store;

    @BeforeEach
    void createStore() {
        store = new ObjectStore(repo);
        store.createSkeleton();
    }

    @Test
    void specWorkedExample() {
        byte[] header = "V2\nS20\nN1\n--\nC ff049c626904064d641feca0e9936e5b211807c6 20\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(59, header.length);
        assertEquals("981ac09f1eef3c675af1cbeab7504c97907a871a", PackHeader.digestOf(header));
        PackSummary s = read(concat(header, HELLO), header.length, PackHeader.digestOf(header));
        assertEquals(new PackSummary(1, 0, 0, 20, 0), s);
        assertTrue(Files.isRegularFile(repo.resolve("data/ff/049c626904064d641feca0e9936e5b211807c6")));
    }

    @Test
    void recordedUpstreamPacksLandCompletely() throws Exception {
        Path exchanges = Fixtures.gatewayPublication().resolve("exchanges");
        int objects = 0;
        for (String exchange : List.of("002-POST-payloads", "003-POST-payloads", "006-POST-payloads", "007-POST-payloads")) {
            Recorded r = Recorded.load(exchanges.resolve(exchange));
            PackSummary s = read(r.pack(), r.message().headerSizeValue(), r.message().payloadDigest());
            PackHeader header = PackHeader.parse(Arrays.copyOf(r.pack(), r.message().headerSizeValue()));
            for (PackEntry e : header.entries()) {
                assertTrue(store.contains(e.hash()), e.hash() + " of " + exchange);
                Path served = Fixtures.gatewayPublication().resolve("after-b/data").resolve(e.hash().objectPath());
                assertArrayEquals(Files.readAllBytes(served), store.readStored(e.hash()));
            }
            objects += header.entries().size();
            if (exchange.startsWith("002")) {
                assertEquals(1, s.objectsDuplicated(), "the empty file is listed twice in 002");
                assertEquals(11, s.objectsAdded());
            }
            if (exchange.startsWith("003")) {
                assertEquals(2, s.catalogsAdded());
            }
        }
        assertEquals(12 + 2 + 2 + 1, objects);
    }

    @Test
    void digestMismatchStoresNothing() {
        byte[] header = header("C " + HELLO_HASH.toSuffixedText() + " 20");
        ObjectPackException e = assertThrows(ObjectPackException.class,
                () -> read(concat(header, HELLO), header.length, "0".repeat(40)));
        assertTrue(e.getMessage().contains("payload_digest"), e.getMessage());
        assertFalse(store.contains(HELLO_HASH));
    }

    @Test
    void objectNotMatchingItsNameIsRefused() {
        byte[] wrong = HELLO.clone();
        wrong[5] ^= 1;
        byte[] header = header("C " + HELLO_HASH.toSuffixedText() + " 20");
        ObjectPackException e = assertThrows(ObjectPackException.class,
                () -> read(concat(header, wrong), header.length, PackHeader.digestOf(header)));
        assertTrue(e.getMessage().contains("not to their name"), e.getMessage());
        assertFalse(store.contains(HELLO_HASH));
        assertNoTemporaries();
    }

    @Test
    void truncatedPayloadIsRefused() {
        byte[] header = header("C " + HELLO_HASH.toSuffixedText() + " 20");
        byte[] body = Arrays.copyOf(concat(header, HELLO), header.length + 12);
        ObjectPackException e = assertThrows(ObjectPackException.class,
                () -> read(body, header.length, PackHeader.digestOf(header)));
        assertTrue(e.getMessage().contains("truncated"), e.getMessage());
        assertFalse(store.contains(HELLO_HASH));
        assertNoTemporaries();
    }

    @Test
    void truncatedHeaderIsRefused() {
        byte[] header = header("C " + HELLO_HASH.toSuffixedText() + " 20");
        byte[] body = Arrays.copyOf(header, 30);
        assertTrue(assertThrows(ObjectPackException.class, () -> read(body, header.length, PackHeader.digestOf(header)))
                .getMessage().contains("truncated"));
    }

    @Test
    void bytesAfterTheLastObjectAreRefused() {
        byte[] header = header("C " + HELLO_HASH.toSuffixedText() + " 20");
        assertThrows(ObjectPackException.class,
                () -> read(concat(header, HELLO, new byte[] {1}), header.length, PackHeader.digestOf(header)));
    }

    @Test
    void headerSizeOutsideLimitsIsRefusedBeforeReading() {
        assertThrows(ObjectPackException.class, () -> read(new byte[0], 0, "x"));
        assertThrows(ObjectPackException.class, () -> read(new byte[0], PackHeader.MAX_HEADER_BYTES + 1L, "x"));
    }

    @Test
    void namedAndDuplicateEntriesAreAccepted() {
        String name = java.util.Base64.getUrlEncoder().encodeToString("some/name?".getBytes(StandardCharsets.UTF_8));
        byte[] header = header("N " + HELLO_HASH.toSuffixedText() + " 20 " + name,
                "C " + HELLO_HASH.toSuffixedText() + " 20");
        PackSummary s = read(concat(header, HELLO, HELLO), header.length, PackHeader.digestOf(header));
        assertEquals(1, s.objectsAdded());
        assertEquals(1, s.objectsDuplicated());
        assertEquals("some/name?", PackHeader.parse(header).entries().get(0).name());
        assertFalse(Files.exists(repo.resolve("some")), "named objects go to the content store only");
    }

    @Test
    void emptyPackIsFine() {
        byte[] header = "V2\nS0\nN0\n--\n".getBytes(StandardCharsets.US_ASCII);
        assertEquals(new PackSummary(0, 0, 0, 0, 0), read(header, header.length, PackHeader.digestOf(header)));
    }

    @Test
    void malformedHeadersNameTheProblem() {
        String h = HELLO_HASH.toSuffixedText();
        assertHeaderRefused("V3\nS20\nN1\n--\nC " + h + " 20\n", "'V2'");
        assertHeaderRefused("V2\nS21\nN1\n--\nC " + h + " 20\n", "add up");
        assertHeaderRefused("V2\nS20\nN2\n--\nC " + h + " 20\n", "N2");
        assertHeaderRefused("V2\nS20\nN1\n--\nC " + h + " 20", "newline");
        assertHeaderRefused("V2\nS20\nN1\n-\nC " + h + " 20\n", "'--'");
        assertHeaderRefused("V2\nS20\nN1\n--\nX " + h + " 20\n", "line 5");
        assertHeaderRefused("V2\nS20\nN1\n--\nC " + h + " -20\n", "decimal");
        assertHeaderRefused("V2\nS20\nN1\n--\nC " + h + " 20 extra\n", "line 5");
        assertHeaderRefused("V2\nS20\nN1\n--\nC " + h.toUpperCase() + " 20\n", "line 5");
        assertHeaderRefused("V2\nS20\nN1\n--\nC " + h + "Q 20\n", "suffix");
        assertHeaderRefused("V2\nS20\nN1\n--\nN " + h + " 20 !!!\n", "base64url");
        assertHeaderRefused("V2\nSabc\nN1\n--\nC " + h + " 20\n", "decimal");
        assertHeaderRefused("V2\nS20\nN100001\n--\nC " + h + " 20\n", "exceeds");
        assertHeaderRefused("V2\nS18446744073709551614\nN2\n--\nC " + h + " 9223372036854775807\nC " + h
                + " 9223372036854775807\n", "line 2");
        assertHeaderRefused("V2\nS20\nN1\n--\nC " + h + " 20\u00ff\n", "non-ASCII");
    }

    private static void assertHeaderRefused(String header, String expected) {
        ObjectPackException e = assertThrows(ObjectPackException.class,
                () -> PackHeader.parse(header.getBytes(StandardCharsets.ISO_8859_1)));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should mention " + expected);
    }

    private void assertNoTemporaries() {
        try (Stream<Path> s = Files.list(repo.resolve("data/txn"))) {
            assertEquals(0, s.count());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private PackSummary read(byte[] body, long headerSize, String digest) {
        return new ObjectPackReader(store).read(new ByteArrayInputStream(body), headerSize, digest);
    }

    static byte[] header(String... lines) {
        List<PackEntry> entries = new java.util.ArrayList<>();
        StringBuilder b = new StringBuilder();
        long sum = 0;
        for (String l : lines) {
            sum += Long.parseLong(l.split(" ")[2]);
            b.append(l).append('\n');
        }
        return ("V2\nS" + sum + "\nN" + lines.length + "\n--\n" + b).getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** A recorded payload request split into its JSON message and its pack. */
    record Recorded(PayloadMessage message, byte[] messageBytes, byte[] pack) {
        static Recorded load(Path exchange) throws IOException {
            byte[] body = Files.readAllBytes(exchange.resolve("request.body"));
            String headers = Files.readString(exchange.resolve("request.headers"));
            int size = -1;
            for (String h : headers.split("\r\n")) {
                if (h.toLowerCase().startsWith("message-size:")) {
                    size = Integer.parseInt(h.substring(13).trim());
                }
            }
            byte[] message = Arrays.copyOf(body, size);
            return new Recorded(PayloadMessage.parse(message), message, Arrays.copyOfRange(body, size, body.length));
        }
    }

    @Test
    void otherAlgorithmsAreVerifiedWithTheirOwnHash() {
        ContentHash shake = ContentHash.compute(HashAlgorithm.SHAKE128, HELLO, ObjectSuffix.PARTIAL);
        byte[] header = header("C " + shake.toSuffixedText() + " 20");
        read(concat(header, HELLO), header.length, PackHeader.digestOf(header));
        assertTrue(Files.isRegularFile(repo.resolve("data").resolve(shake.objectPath())));
        assertTrue(shake.objectPath().endsWith("-shake128P"));
    }
}
