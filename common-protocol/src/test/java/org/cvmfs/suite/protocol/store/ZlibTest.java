package org.cvmfs.suite.protocol.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import org.cvmfs.suite.protocol.testing.CatalogBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ZlibTest {
    @TempDir
    Path tmp;

    private static final byte[] EMPTY_STREAM = HexFormat.of().parseHex("789c030000000001");

    @Test
    void compressesAndInflatesTheEmptyFile() {
        assertArrayEquals(EMPTY_STREAM, Zlib.compress(new byte[0]));
        assertArrayEquals(new byte[0], Zlib.inflate(EMPTY_STREAM, 0));
    }

    /** Catalog-like bytes: digests (incompressible) between repeated column text. */
    private static byte[] catalogLike(int length, long seed) {
        Random random = new Random(seed);
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = i % 64 < 20 ? (byte) random.nextInt() : (byte) ("file-name-" + (i / 640)).charAt(i % 10);
        }
        return out;
    }

    @Test
    void aCatalogOfSeveralBlocksIsOneZlibStreamOfItsBytes() {
        for (int length : new int[] {2 * Zlib.CATALOG_BLOCK, 2 * Zlib.CATALOG_BLOCK + 1, 5 * Zlib.CATALOG_BLOCK - 7,
                3_258_368}) {
            byte[] catalog = catalogLike(length, length);
            byte[] stream = CatalogBytes.compressed(catalog, tmp);
            assertArrayEquals(catalog, Zlib.inflate(stream, length), "length " + length);
            assertEquals(0x01, stream[1], "zlib's header at the catalog level");
            assertArrayEquals(stream, CatalogBytes.compressed(catalog, tmp), "the same bytes every time");
            // blocks primed with the 32 KiB before them compress about as well as one stream
            int single = Zlib.compress(catalog, Zlib.CATALOG_LEVEL).length;
            assertTrue(stream.length <= single * 1.02, stream.length + " bytes against " + single);
        }
    }

    @Test
    void aCatalogIsCompressedIntoTheBytesItAlwaysWas() throws Exception {
        // SHA-1s of what the compressor gave when it held the whole catalog in memory (8d233cb):
        // streaming it from its file must not change one byte, or one catalog two names; the
        // short last block falls first or second in a round of two cores' blocks
        Map<Integer, String> before = Map.of(
                Zlib.CATALOG_BLOCK, "2695e5dda847a920ce2074fd20fb4684dd7b110c",
                2 * Zlib.CATALOG_BLOCK, "576c7228bb4b10c5193632c9332afaab612cc18c",
                2 * Zlib.CATALOG_BLOCK + 1, "4bd8c076523da0253b93ad8da0d1438fa5fd0acd",
                4 * Zlib.CATALOG_BLOCK - 7, "2ad596700b2664d7eecbf2b96ab6f47583b5b866",
                5 * Zlib.CATALOG_BLOCK - 7, "e4afa8460a6e5b1e21be6c3b05dae2a4dc2bc3a9",
                3_258_368, "a7be9a2957ca5113d24ddf11954d218e0d867dea");
        for (Map.Entry<Integer, String> e : before.entrySet()) {
            byte[] stream = CatalogBytes.compressed(catalogLike(e.getKey(), e.getKey()), tmp);
            assertEquals(e.getValue(), HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(stream)),
                    "length " + e.getKey());
        }
    }

    @Test
    void aCatalogOfOneBlockIsCompressedAsOneStream() {
        for (int length : new int[] {0, 100, Zlib.CATALOG_BLOCK}) {
            byte[] catalog = catalogLike(length, 7);
            assertArrayEquals(Zlib.compress(catalog, Zlib.CATALOG_LEVEL), CatalogBytes.compressed(catalog, tmp),
                    "length " + length);
        }
    }

    @Test
    void inflatesFromAStreamThatHandsOutOneByteAtATime() throws Exception {
        byte[] content = catalogLike(200_000, 3);
        byte[] stream = Zlib.compress(content);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Zlib.inflateTo(new OneByteAtATime(stream), 1 << 20, out);
        assertArrayEquals(content, out.toByteArray());
        // bytes after the end are counted to the stream's end, beyond the piece read with the last of the stream
        byte[] trailing = Arrays.copyOf(stream, stream.length + 100_000);
        assertEquals("100000 bytes after the end of the zlib stream", assertThrows(CorruptObjectException.class,
                () -> Zlib.inflateTo(new ByteArrayInputStream(trailing), 1 << 20, OutputStream.nullOutputStream()))
                .getMessage());
        assertEquals("truncated zlib stream", assertThrows(CorruptObjectException.class,
                () -> Zlib.inflateTo(new ByteArrayInputStream(new byte[0]), 1 << 20, OutputStream.nullOutputStream()))
                .getMessage());
        // the limit counts everything inflated so far, not the last piece: 200,000 bytes come in several
        assertEquals("inflated object exceeds 150000 bytes", assertThrows(CorruptObjectException.class,
                () -> Zlib.inflateTo(new ByteArrayInputStream(stream), 150_000, OutputStream.nullOutputStream()))
                .getMessage());
    }

    /** A stream as a slow socket is: one byte per read. */
    private static final class OneByteAtATime extends ByteArrayInputStream {
        OneByteAtATime(byte[] data) {
            super(data);
        }

        @Override
        public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 1));
        }
    }

    @Test
    void refusesAPresetDictionary() {
        // a zlib header with FDICT set (0x78 0xBB), then a dictionary id: no CernVM-FS object has one
        byte[] stream = {0x78, (byte) 0xBB, 0, 0, 0, 1, 0x03, 0x00};
        // a zlib stream that asks for a dictionary makes no progress: refused, not looped on
        assertEquals("truncated zlib stream", assertTimeoutPreemptively(Duration.ofSeconds(10), () ->
                assertThrows(CorruptObjectException.class, () -> Zlib.inflate(stream, 1 << 20))).getMessage());
    }

    @Test
    void refusesTruncatedTrailingAndOversizedStreams() {
        byte[] stream = Zlib.compress("hello, repository".repeat(10).getBytes());
        assertEquals("truncated zlib stream", assertThrows(CorruptObjectException.class,
                () -> Zlib.inflate(Arrays.copyOf(stream, stream.length - 3), 1 << 20)).getMessage());
        byte[] trailing = Arrays.copyOf(stream, stream.length + 2);
        assertEquals("2 bytes after the end of the zlib stream", assertThrows(CorruptObjectException.class,
                () -> Zlib.inflate(trailing, 1 << 20)).getMessage());
        assertEquals("inflated object exceeds 100 bytes", assertThrows(CorruptObjectException.class,
                () -> Zlib.inflate(stream, 100)).getMessage());
    }
}
