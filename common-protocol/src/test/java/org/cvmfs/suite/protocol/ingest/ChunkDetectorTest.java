package org.cvmfs.suite.protocol.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ChunkDetectorTest {
    private static final ChunkDetector SMALL = new ChunkDetector(64, 256, 1024);

    @Test
    void defaultsMatchUpstream() {
        ChunkDetector d = ChunkDetector.defaults();
        assertEquals(4L << 20, d.minSize());
        assertEquals(8L << 20, d.averageSize());
        assertEquals(16L << 20, d.maxSize());
        assertFalse(d.mightFindChunks(4L << 20));
        assertTrue(d.mightFindChunks((4L << 20) + 1));
    }

    @Test
    void refusesInconsistentSizes() {
        assertThrows(IllegalArgumentException.class, () -> new ChunkDetector(31, 256, 1024));
        assertThrows(IllegalArgumentException.class, () -> new ChunkDetector(64, 64, 1024));
        assertThrows(IllegalArgumentException.class, () -> new ChunkDetector(64, 256, 256));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ChunkDetector(-5, 256, 1024));
        assertTrue(e.getMessage().contains("-5"), e.getMessage());
    }

    @Test
    void streamingCutsEqualWholeBufferReferenceForAnySplit() {
        Random random = new Random(42);
        for (int round = 0; round < 30; round++) {
            byte[] data = new byte[20_000 + random.nextInt(20_000)];
            random.nextBytes(data);
            if (round % 3 == 0) {
                // long runs keep the rolling value away from the magic number: forces hard cuts
                java.util.Arrays.fill(data, 5_000, 9_000, (byte) 0);
            }
            List<Long> expected = referenceCuts(data, 64, 256, 1024);
            assertEquals(expected, streamingCuts(data, SMALL, random, false), "round " + round);
            assertEquals(expected, streamingCuts(data, SMALL, random, true), "round " + round + " skipping");
        }
    }

    @Test
    void chunkLengthsRespectMinAndMax() {
        byte[] data = new byte[200_000];
        new Random(3).nextBytes(data);
        List<Long> cuts = referenceCuts(data, 64, 256, 1024);
        long previous = 0;
        for (long c : cuts) {
            assertTrue(c - previous >= 64 && c - previous <= 1024, "chunk length " + (c - previous));
            previous = c;
        }
        // random data cuts near the average, not only at the maximum
        assertTrue(cuts.size() > data.length / 1024 + 10, "only " + cuts.size() + " cuts");
    }

    @Test
    void thresholdUsesWrappingThirtyTwoBitArithmetic() {
        // bytes 0/1 place one bit each into the rolling value: the last 32 bytes spell it out
        int threshold = (int) (0xFFFFFFFFL / 256);
        assertEquals(List.of(64L), cutsWhenValueReaches(0x7FFFFFFF));
        assertEquals(List.of(64L), cutsWhenValueReaches(0x7FFFFFFF - threshold + 1));
        assertEquals(List.of(), cutsWhenValueReaches(0x7FFFFFFF - threshold));
        // int32(-1) - 0x7FFFFFFF wraps to INT_MIN, whose C abs() stays negative: a cut
        assertEquals(List.of(64L), cutsWhenValueReaches(-1));
        // INT_MIN - 0x7FFFFFFF wraps to 1: a cut as well
        assertEquals(List.of(64L), cutsWhenValueReaches(Integer.MIN_VALUE));
        // ... up to a difference of threshold - 1 on that side
        assertEquals(List.of(64L), cutsWhenValueReaches(Integer.MIN_VALUE + threshold - 2));
        assertEquals(List.of(), cutsWhenValueReaches(Integer.MIN_VALUE + threshold - 1));
        assertEquals(List.of(), cutsWhenValueReaches(0));
    }

    @Test
    void hardCutAtMaximumAndNoEmptyTail() {
        byte[] zeros = new byte[3 * 1024];
        ChunkDetector.Cursor cursor = SMALL.newCursor();
        List<Long> cuts = new ArrayList<>();
        long position = 0;
        while (position < zeros.length) {
            long cut = cursor.offer(position, zeros, (int) position, (int) (zeros.length - position));
            if (cut < 0) {
                break;
            }
            cuts.add(cut);
            position = cut;
        }
        // the last cut lands on the end of the data; callers drop that empty piece
        assertEquals(List.of(1024L, 2048L, 3072L), cuts);
    }

    @Test
    void refusesGapsAfterResumePoint() {
        ChunkDetector.Cursor cursor = SMALL.newCursor();
        assertEquals(32, cursor.resumeAt());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cursor.offer(33, new byte[10], 0, 10));
        assertTrue(e.getMessage().contains("33"), e.getMessage());
    }

    /** Bytes 33..64 spell {@code value}: the rolling value at offset 64, the only one tested. */
    private static List<Long> cutsWhenValueReaches(int value) {
        byte[] data = new byte[66];
        for (int d = 0; d < 32; d++) {
            data[64 - d] = (byte) ((value >>> d) & 1);
        }
        List<Long> cuts = referenceCuts(data, 64, 256, 1024);
        assertEquals(cuts, streamingCuts(data, SMALL, new Random(1), false));
        return cuts;
    }

    /** Straightforward restatement of spec 2.4 over a whole array. */
    static List<Long> referenceCuts(byte[] data, int min, int avg, int max) {
        int threshold = (int) (0xFFFFFFFFL / avg);
        List<Long> cuts = new ArrayList<>();
        int start = 0;
        while (start + max <= data.length || hasCut(data, start, min, max, threshold) >= 0) {
            int cut = hasCut(data, start, min, max, threshold);
            if (cut < 0) {
                cut = start + max;
            }
            if (cut >= data.length) {
                break;
            }
            cuts.add((long) cut);
            start = cut;
        }
        return cuts;
    }

    private static int hasCut(byte[] data, int start, int min, int max, int threshold) {
        long v = 0;
        for (int p = start + min - 32; p < Math.min(start + max, data.length); p++) {
            v = ((v << 1) ^ (data[p] & 0xFF)) & 0xFFFFFFFFL;
            if (p >= start + min) {
                long diff = (int) v - 0x7FFFFFFFL;  // exact, in 64 bits
                int wrapped = (int) diff;           // what 32-bit subtraction leaves
                int abs = wrapped == Integer.MIN_VALUE ? Integer.MIN_VALUE : Math.abs(wrapped);
                if (abs < threshold) {
                    return p;
                }
            }
        }
        return -1;
    }

    private static List<Long> streamingCuts(byte[] data, ChunkDetector detector, Random random, boolean skip) {
        ChunkDetector.Cursor cursor = detector.newCursor();
        List<Long> cuts = new ArrayList<>();
        long position = 0;
        while (position < data.length) {
            if (skip) {
                position = Math.max(position, Math.min(cursor.resumeAt(), data.length));
                if (position >= data.length) {
                    break;
                }
            }
            int length = (int) Math.min(data.length - position, 1 + random.nextInt(700));
            long cut = cursor.offer(position, data, (int) position, length);
            if (cut >= 0) {
                if (cut < data.length) {
                    cuts.add(cut);
                }
                position = cut;
            } else {
                position += length;
            }
        }
        return cuts;
    }
}
