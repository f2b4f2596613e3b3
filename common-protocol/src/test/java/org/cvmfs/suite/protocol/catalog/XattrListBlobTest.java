package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code xattr} blob of spec 6.8 byte for byte: its layout, the order of its keys (unsigned
 * UTF-8 bytes, as upstream's {@code std::map}), the inclusive limits of 255 entries and 255-byte
 * keys and values, and the exact refusal of every malformed blob, asserted exactly so that PIT's
 * mutants of {@code XattrList} die (issue 9).
 */
class XattrListBlobTest {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static String refusal(byte[] blob) {
        return assertThrows(IllegalArgumentException.class, () -> XattrList.parse(blob)).getMessage();
    }

    @Test
    void serializesVersionCountThenLengthsKeyAndValuePerEntry() {
        Map<String, byte[]> in = new LinkedHashMap<>();
        in.put("b", bytes(9));
        in.put("a", bytes(1, 2));
        XattrList list = XattrList.of(in);
        assertArrayEquals(bytes(1, 2, 1, 2, 'a', 1, 2, 1, 1, 'b', 9), list.serialize());
        assertEquals(list, XattrList.parse(list.serialize()));
        assertEquals(2, list.size());
        assertEquals(List.of("a", "b"), List.copyOf(list.asMap().keySet()));
        assertEquals("{a=0102, b=09}", list.toString());
    }

    @Test
    void keysAreOrderedByUnsignedUtf8BytesNotByUtf16() {
        String supplementary = new String(Character.toChars(0x1F600)); // F0 9F 98 80, UTF-16 D83D DE00
        String bmpHigh = "\uFFFD"; // EF BF BD, above the surrogates in UTF-16
        XattrList list = XattrList.of(Map.of(supplementary, bytes(1), bmpHigh, bytes(2), "z", bytes(3)));
        assertEquals(List.of("z", bmpHigh, supplementary), List.copyOf(list.asMap().keySet()));
        byte[] blob = list.serialize();
        assertEquals('z', blob[4]);
        assertEquals((byte) 0xEF, blob[8], "the second entry's key starts after z's header, key and value");
    }

    @Test
    void anEmptyListIsNullInTheCatalogAndTheSharedEmptyValue() {
        assertSame(XattrList.EMPTY, XattrList.of(Map.of()));
        assertNull(XattrList.EMPTY.serialize());
        assertTrue(XattrList.EMPTY.isEmpty());
        assertSame(XattrList.EMPTY, XattrList.parse(bytes(1, 0)));
        assertEquals("{}", XattrList.EMPTY.toString());
    }

    @Test
    void limitsAreInclusive() {
        String key255 = "k".repeat(255);
        XattrList widest = XattrList.of(Map.of(key255, new byte[255]));
        byte[] blob = widest.serialize();
        assertEquals(2 + 2 + 255 + 255, blob.length);
        assertEquals((byte) 255, blob[2]);
        assertEquals((byte) 255, blob[3]);
        assertEquals(widest, XattrList.parse(blob));

        assertEquals("xattr key of 256 bytes exceeds 255",
                assertThrows(IllegalArgumentException.class, () -> XattrList.of(Map.of("k".repeat(256), bytes(1)))).getMessage());
        assertEquals("xattr key of 256 bytes exceeds 255", assertThrows(IllegalArgumentException.class,
                () -> XattrList.of(Map.of("\u00e9".repeat(128), bytes(1)))).getMessage(), "bytes, not characters");
        assertEquals("xattr 'k' value of 256 bytes exceeds 255",
                assertThrows(IllegalArgumentException.class, () -> XattrList.of(Map.of("k", new byte[256]))).getMessage());

        Map<String, byte[]> most = new HashMap<>();
        for (int i = 0; i < 255; i++) {
            most.put("k" + i, bytes(i));
        }
        XattrList full = XattrList.of(most);
        assertEquals((byte) 255, full.serialize()[1]);
        assertEquals(full, XattrList.parse(full.serialize()));
        most.put("k255", bytes(1));
        assertEquals("xattr list has 256 entries, at most 255",
                assertThrows(IllegalArgumentException.class, () -> XattrList.of(most)).getMessage());
    }

    @Test
    void keysMustBeNonEmptyWithoutNulAndValuesPresent() {
        assertEquals("xattr key is empty", assertThrows(IllegalArgumentException.class,
                () -> XattrList.of(Map.of("", bytes(1)))).getMessage());
        assertEquals("xattr key 'a\\0b' contains NUL",
                assertThrows(IllegalArgumentException.class, () -> XattrList.of(Map.of("a\0b", bytes(1)))).getMessage());
        Map<String, byte[]> nullValue = new HashMap<>();
        nullValue.put("k", null);
        assertEquals("xattr 'k' has a null value",
                assertThrows(IllegalArgumentException.class, () -> XattrList.of(nullValue)).getMessage());
    }

    @Test
    void everyMalformedBlobIsRefusedWithWhatIsWrong() {
        assertEquals("xattr blob is null", refusal(null));
        assertEquals("xattr blob of 0 bytes has no header", refusal(new byte[0]));
        assertEquals("xattr blob of 1 bytes has no header", refusal(bytes(1)));
        assertEquals("xattr blob version 2, expected 1", refusal(bytes(2, 0)));
        assertEquals("xattr blob version 255, expected 1", refusal(bytes(255, 0)));
        assertEquals("xattr blob truncated in the header of entry 0 of 1", refusal(bytes(1, 1)));
        assertEquals("xattr blob truncated in the header of entry 0 of 1", refusal(bytes(1, 1, 1)));
        assertEquals("xattr blob truncated in entry 0 of 1", refusal(bytes(1, 1, 1, 1, 'a')));
        assertEquals("xattr blob truncated in the header of entry 1 of 2", refusal(bytes(1, 2, 1, 0, 'a')));
        assertEquals("1 bytes after the last of 1 xattr entries", refusal(bytes(1, 1, 1, 0, 'a', 7)));
        assertEquals("2 bytes after the last of 0 xattr entries", refusal(bytes(1, 0, 7, 7)));
        assertEquals("xattr blob repeats key 'a'", refusal(bytes(1, 2, 1, 0, 'a', 1, 0, 'a')));
        assertEquals("xattr key is empty", refusal(bytes(1, 1, 0, 0)));
        assertEquals("xattr key of entry 0 is not UTF-8: ff", refusal(bytes(1, 1, 1, 0, 0xff)));
        assertEquals(XattrList.of(Map.of("a", new byte[0])), XattrList.parse(bytes(1, 1, 1, 0, 'a')), "an empty value is fine");
    }

    @Test
    void valuesAreCopiedInAndOut() {
        byte[] value = bytes(1, 2);
        XattrList list = XattrList.of(Map.of("k", value));
        value[0] = 9;
        assertArrayEquals(bytes(1, 2), list.get("k"));
        list.get("k")[0] = 9;
        list.asMap().get("k")[1] = 9;
        assertArrayEquals(bytes(1, 2), list.get("k"));
        assertNull(list.get("absent"));
        assertThrows(UnsupportedOperationException.class, () -> list.asMap().put("x", bytes(1)));
    }

    @Test
    void equalityIsByKeysAndValueBytes() {
        XattrList a = XattrList.of(Map.of("k", bytes(1), "l", bytes(2)));
        assertEquals(a, XattrList.of(Map.of("l", bytes(2), "k", bytes(1))));
        assertEquals(a.hashCode(), XattrList.of(Map.of("l", bytes(2), "k", bytes(1))).hashCode());
        assertNotEquals(a, XattrList.of(Map.of("k", bytes(1), "l", bytes(3))));
        assertNotEquals(a, XattrList.of(Map.of("k", bytes(1), "m", bytes(2))));
        assertNotEquals(a, XattrList.of(Map.of("k", bytes(1))));
        assertNotEquals(a.hashCode(), XattrList.of(Map.of("k", bytes(1), "l", bytes(3))).hashCode());
        assertNotEquals(a, "k=01");
    }
}
