package org.cvmfs.suite.protocol.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ZlibTest {
    private static final byte[] EMPTY_STREAM = HexFormat.of().parseHex("789c030000000001");

    @Test
    void compressesAndInflatesTheEmptyFile() {
        assertArrayEquals(EMPTY_STREAM, Zlib.compress(new byte[0]));
        assertArrayEquals(new byte[0], Zlib.inflate(EMPTY_STREAM, 0));
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
