package org.cvmfs.suite.protocol.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.SharedLibraries;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The encoder's two ways to write a zlib stream: java.util.zip, and libdeflate in whole buffers. */
class ObjectEncoderTest {
    @TempDir
    Path tmp;
    private ObjectEncoder zlib;
    private ObjectEncoder libdeflate;

    @AfterEach
    void end() {
        if (zlib != null) {
            zlib.end();
        }
        if (libdeflate != null) {
            libdeflate.end();
        }
    }

    @Test
    void libdeflateIsBoundWhereItIsInstalled() {
        assumeTrue(SharedLibraries.installed("libdeflate.so.0"), "libdeflate.so.0 is not installed here");
        assertTrue(NativeDeflate.available(), "libdeflate is installed but not bound: is the suite's JNI library built and loadable?");
        assertTrue(DeflateLibrary.LIBDEFLATE.availableHere());
        assertTrue(DeflateLibrary.ZLIB.availableHere());
    }

    @Test
    void libdeflateWritesOtherBytesThatInflateToTheSameContent() {
        encoders(ObjectEncoder.WHOLE_LIMIT);
        byte[] content = ContentProcessorTest.compressible(new Random(3), 200_000);
        assertArrayEquals(content, Zlib.inflate(encode(zlib, content, 7_000), content.length));
        assertWrittenByLibdeflate(content, 7_000);
    }

    @Test
    void contentBeyondTheLimitGoesOnThroughZlibAndTheNextObjectIsWholeAgain() {
        encoders(10_000);
        Random random = new Random(4);
        byte[] big = ContentProcessorTest.compressible(random, 50_000);
        byte[] small = ContentProcessorTest.compressible(random, 9_000);
        assertWrittenByZlib(big, 3_000, "beyond the limit the whole object is zlib's stream");
        assertWrittenByLibdeflate(small, 3_000);
    }

    @Test
    void theLimitItselfIsStillOneWholeBufferAndOneByteMoreIsZlibs() {
        encoders(10_000);
        Random random = new Random(6);
        byte[] atLimit = ContentProcessorTest.compressible(random, 10_000);
        byte[] beyond = ContentProcessorTest.compressible(random, 10_001);
        assertWrittenByLibdeflate(atLimit, 2_500);
        assertWrittenByZlib(beyond, 2_500, "one byte beyond the limit");
        assertWrittenByZlib(beyond, 10_001, "a first write beyond the limit streams at once");
    }

    @Test
    void anEncoderReusedAfterStreamingStartsEveryObjectAfresh() {
        encoders(10_000);
        Random random = new Random(7);
        byte[] first = ContentProcessorTest.compressible(random, 30_000);
        byte[] second = ContentProcessorTest.compressible(random, 40_000);
        assertWrittenByZlib(first, 4_000, "beyond the limit");
        assertWrittenByZlib(second, 4_000, "a second object beyond the limit is a stream of its own");
        assertWrittenByZlib(new byte[0], 1, "an empty object after a streamed one is zlib's empty stream");
    }

    @Test
    void libdeflateRefusesABufferTooSmallOrNotDirect() {
        assumeTrue(NativeDeflate.available(), "libdeflate is not bound here");
        try (NativeDeflate compressor = NativeDeflate.open(Zlib.LEVEL)) {
            ByteBuffer in = ByteBuffer.allocateDirect(1_000).put(new byte[1_000]);
            assertTrue(compressor.bound(1_000) >= 1_000);
            IllegalArgumentException small = assertThrows(IllegalArgumentException.class,
                    () -> compressor.compress(in, 1_000, ByteBuffer.allocateDirect(4)));
            assertTrue(small.getMessage().endsWith("(too small)"), small.getMessage());
            IllegalArgumentException heap = assertThrows(IllegalArgumentException.class,
                    () -> compressor.compress(in, 1_000, ByteBuffer.allocate(2_000)));
            assertTrue(heap.getMessage().contains("not a direct buffer"), heap.getMessage());
            assertThrows(IllegalArgumentException.class,
                    () -> compressor.compress(in, 1_001, ByteBuffer.allocateDirect(2_000)));
            ByteBuffer out = ByteBuffer.allocateDirect((int) compressor.bound(1_000));
            int size = compressor.compress(in, 1_000, out);
            byte[] stream = new byte[size];
            out.get(0, stream);
            assertArrayEquals(new byte[1_000], Zlib.inflate(stream, 1_000));
        }
    }

    @Test
    void objectsOfEverySizeInflateBackAndAreNamedByTheirStoredBytes() {
        encoders(ObjectEncoder.WHOLE_LIMIT);
        Random random = new Random(5);
        for (int size : new int[] {1, 65_536, 65_537, 300_000, 10, 0, 131_072}) {
            byte[] content = ContentProcessorTest.compressible(random, size);
            try (StagedObject staged = new StagedObject(tmp, Integer.MAX_VALUE)) {
                libdeflate.start(staged);
                for (int off = 0; off < size; off += 5_000) {
                    libdeflate.write(content, off, Math.min(5_000, size - off));
                }
                ContentHash hash = libdeflate.finish(ObjectSuffix.NONE);
                byte[] stored = staged.bytes();
                assertArrayEquals(content, Zlib.inflate(stored, size), "size " + size);
                assertEquals(ContentHash.of(HashAlgorithm.SHA1, HashAlgorithm.SHA1.digest(stored), ObjectSuffix.NONE),
                        hash, "size " + size);
                assertEquals(size, libdeflate.contentBytes());
            }
        }
    }

    @Test
    void emptyContentIsZlibsEmptyStreamEitherWay() {
        encoders(ObjectEncoder.WHOLE_LIMIT);
        assertWrittenByZlib(new byte[0], 1, "the empty object");
    }

    @Test
    void aClosedCompressorIsRefused() {
        assumeTrue(NativeDeflate.available(), "libdeflate is not bound here");
        NativeDeflate compressor = NativeDeflate.open(Zlib.LEVEL);
        compressor.close();
        compressor.close();
        assertThrows(IllegalStateException.class, () -> compressor.bound(10));
    }

    private void encoders(int wholeLimit) {
        assumeTrue(NativeDeflate.available(), "libdeflate is not bound here");
        zlib = new ObjectEncoder(HashAlgorithm.SHA1, Compression.ZLIB, false, wholeLimit);
        libdeflate = new ObjectEncoder(HashAlgorithm.SHA1, Compression.ZLIB, true, wholeLimit);
    }

    /** Both encoders, fed {@code content} in writes of {@code block} bytes, store zlib's very bytes. */
    private void assertWrittenByZlib(byte[] content, int block, String why) {
        assertArrayEquals(encode(zlib, content, block), encode(libdeflate, content, block), why);
    }

    /** The libdeflate encoder stores other bytes than zlib's, which inflate to {@code content}. */
    private void assertWrittenByLibdeflate(byte[] content, int block) {
        byte[] stored = encode(libdeflate, content, block);
        assertFalse(Arrays.equals(encode(zlib, content, block), stored), "libdeflate wrote zlib's bytes: not used?");
        assertArrayEquals(content, Zlib.inflate(stored, content.length));
    }

    private byte[] encode(ObjectEncoder encoder, byte[] content, int block) {
        try (StagedObject staged = new StagedObject(tmp, Integer.MAX_VALUE)) {
            encoder.start(staged);
            for (int off = 0; off < content.length; off += block) {
                encoder.write(content, off, Math.min(block, content.length - off));
            }
            encoder.finish(ObjectSuffix.NONE);
            return staged.bytes();
        }
    }
}
