package org.cvmfs.suite.protocol.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Staged bytes in memory up to the limit, spilled beyond it, in an array of its own or a lent one. */
class StagedObjectTest {
    private static final int LIMIT = 64 * 1024;

    @TempDir
    Path spill;

    @Test
    void bytesWithinTheLimitStayInMemoryAndReadBackWhole() throws IOException {
        byte[] content = bytes(1, LIMIT);
        try (StagedObject staged = new StagedObject(spill, LIMIT)) {
            write(staged, content, 1000);
            staged.seal();
            assertTrue(staged.inMemory());
            assertEquals(LIMIT, staged.size());
            assertReadsBack(content, staged);
        }
        assertSpillDirEmpty();
    }

    @Test
    void bytesBeyondTheLimitSpillToAFileThatCloseRemoves() throws IOException {
        byte[] content = bytes(2, LIMIT + 1);
        StagedObject staged = new StagedObject(spill, LIMIT);
        write(staged, content, 7000);
        staged.seal();
        assertFalse(staged.inMemory());
        assertThrows(IllegalStateException.class, staged::bytes);
        assertReadsBack(content, staged);
        staged.close();
        assertSpillDirEmpty();
    }

    @Test
    void aLentBufferGrowsOnceAndServesTheNextObjectsAsItIs() throws IOException {
        StagingBuffer lender = new StagingBuffer();
        byte[] first = bytes(3, 40_000);
        try (StagedObject staged = new StagedObject(spill, LIMIT, lender)) {
            write(staged, first, 3000);
            staged.seal();
            assertReadsBack(first, staged);
        }
        int grown = lender.capacity();
        assertTrue(grown >= first.length && grown <= LIMIT, "capacity " + grown);

        byte[] second = bytes(4, 100);
        try (StagedObject staged = new StagedObject(spill, LIMIT, lender)) {
            write(staged, second, 100);
            staged.seal();
            assertEquals(100, staged.size(), "only this object's bytes, not the last one's");
            assertReadsBack(second, staged);
        }
        assertEquals(grown, lender.capacity(), "the array is kept, not shrunk or replaced");
    }

    @Test
    void aLentBufferServesOneObjectAtATimeAndComesBackAfterASpill() throws IOException {
        StagingBuffer lender = new StagingBuffer();
        StagedObject first = new StagedObject(spill, LIMIT, lender);
        assertThrows(IllegalStateException.class, () -> new StagedObject(spill, LIMIT, lender));
        byte[] big = bytes(5, 3 * LIMIT);
        write(first, big, 10_000);
        first.seal();
        assertFalse(first.inMemory());
        assertReadsBack(big, first);
        first.close();
        first.close();
        assertSpillDirEmpty();
        assertEquals(LIMIT, lender.capacity(), "the array grown up to the limit before the spill is kept");

        byte[] small = bytes(6, 10);
        try (StagedObject next = new StagedObject(spill, LIMIT, lender)) {
            write(next, small, 10);
            next.seal();
            assertTrue(next.inMemory());
            assertArrayEquals(small, next.bytes());
        }
    }

    @Test
    void bytesAreReadOnlyOnceSealedAndUntilClosed() {
        StagedObject staged = new StagedObject(spill, LIMIT);
        staged.write(new byte[10], 0, 10);
        assertThrows(IllegalStateException.class, staged::bytes);
        assertThrows(IllegalStateException.class, staged::openStream);
        assertThrows(IllegalStateException.class, () -> staged.writeTo(new ByteArrayOutputStream()));
        staged.seal();
        assertThrows(IllegalStateException.class, () -> staged.write(new byte[1], 0, 1));
        staged.close();
        assertThrows(IllegalStateException.class, staged::bytes);
    }

    @Test
    void aLimitOfZeroSpillsEveryByteAndANegativeOneIsRefused() throws IOException {
        try (StagedObject staged = new StagedObject(spill, 0)) {
            staged.write(new byte[] {7}, 0, 1);
            staged.seal();
            assertFalse(staged.inMemory());
            assertReadsBack(new byte[] {7}, staged);
        }
        assertThrows(IllegalArgumentException.class, () -> new StagedObject(spill, -1));
    }

    private static byte[] bytes(long seed, int length) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static void write(StagedObject staged, byte[] content, int piece) {
        for (int off = 0; off < content.length; off += piece) {
            staged.write(content, off, Math.min(piece, content.length - off));
        }
    }

    private static void assertReadsBack(byte[] content, StagedObject staged) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        staged.writeTo(out);
        assertArrayEquals(content, out.toByteArray());
        try (InputStream in = staged.openStream()) {
            assertArrayEquals(content, in.readAllBytes());
        }
        if (staged.inMemory()) {
            assertArrayEquals(content, staged.bytes());
        }
    }

    private void assertSpillDirEmpty() throws IOException {
        try (Stream<Path> left = Files.list(spill)) {
            assertEquals(0, left.count());
        }
    }
}
