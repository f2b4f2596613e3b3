package org.cvmfs.suite.protocol.name;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RawNameTest {
    private static byte[] hex(String h) {
        return HexFormat.of().parseHex(h);
    }

    @Test
    void validUtf8IsTheStringItEncodes() {
        for (String s : List.of("", "plain", "ü", "日本語", "\uD83D\uDE00 emoji", "new\nline", "\uFFFD")) {
            assertEquals(s, RawName.decode(s.getBytes(StandardCharsets.UTF_8)));
            assertArrayEquals(s.getBytes(StandardCharsets.UTF_8), RawName.encode(s));
            assertTrue(RawName.isText(s));
            assertTrue(RawName.isCanonical(s));
        }
    }

    @Test
    void invalidBytesAreEscapedOneByOne() {
        assertEquals("a\uDCFFb", RawName.decode(hex("61ff62")));
        assertEquals("x\uDCC3", RawName.decode(hex("78c3")));             // lone lead byte at the end
        assertEquals("\uDCC3a", RawName.decode(hex("c361")));             // lead byte without continuation
        assertEquals("\uDCC0\uDCAF", RawName.decode(hex("c0af")));        // overlong '/'
        assertEquals("\uDCED\uDCA0\uDC80", RawName.decode(hex("eda080"))); // an encoded surrogate
        assertEquals("ü\uDCFFü", RawName.decode(hex("c3bcffc3bc")));
        assertEquals("\uDCF4\uDC90\uDC80\uDC80", RawName.decode(hex("f4908080"))); // above U+10FFFF
        assertFalse(RawName.isText("a\uDCFFb"));
    }

    @Test
    void everyByteSequenceRoundTrips() {
        Random random = new Random(42);
        for (int i = 0; i < 20_000; i++) {
            byte[] b = new byte[random.nextInt(12)];
            random.nextBytes(b);
            String s = RawName.decode(b);
            assertArrayEquals(b, RawName.encode(s), HexFormat.of().formatHex(b));
            assertTrue(RawName.isCanonical(s));
            assertEquals(b.length, RawName.byteLength(s));
        }
    }

    @Test
    void aStringThatStandsForNoBytesOrForOtherBytesIsNotCanonical() {
        assertFalse(RawName.isCanonical("\uD800"));              // lone high surrogate
        assertFalse(RawName.isCanonical("\uDC41"));              // escape of an ASCII byte
        assertFalse(RawName.isCanonical("\uDCC3\uDCBC"));        // escapes of valid UTF-8 ("ü")
        assertThrows(IllegalArgumentException.class, () -> RawName.encode("\uD800x"));
    }

    @Test
    void printableEscapesRawBytesOnly() {
        assertEquals("a\\xffb\nü\uD83D\uDE00", RawName.printable("a\uDCFFb\nü\uD83D\uDE00"));
    }
}
