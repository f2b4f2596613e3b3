package org.cvmfs.suite.protocol.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.cvmfs.suite.protocol.store.Zlib;
import org.junit.jupiter.api.Test;

class ContentHashTest {
    private static final String EMPTY_FILE = "e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78";

    @Test
    void emptyFileObjectHasUpstreamName() {
        byte[] stored = Zlib.compress(new byte[0]);
        assertArrayEquals(HexFormat.of().parseHex("789c030000000001"), stored);
        assertEquals(EMPTY_FILE, ContentHash.compute(HashAlgorithm.SHA1, stored, ObjectSuffix.NONE).toText());
    }

    @Test
    void parsesEachAlgorithmByLength() {
        String hex = "0123456789abcdef0123456789abcdef01234567";
        assertEquals(HashAlgorithm.SHA1, ContentHash.parse(hex, ObjectSuffix.NONE).algorithm());
        assertEquals(HashAlgorithm.RMD160, ContentHash.parse(hex + "-rmd160", ObjectSuffix.NONE).algorithm());
        assertEquals(HashAlgorithm.SHAKE128, ContentHash.parse(hex + "-shake128", ObjectSuffix.NONE).algorithm());
    }

    @Test
    void suffixedFormRoundTripsAndNamesThePath() {
        ContentHash h = ContentHash.parseSuffixed("14a637b8dc8e758c79eee0aa6710bff988055198P");
        assertEquals(ObjectSuffix.PARTIAL, h.suffix());
        assertEquals("14/a637b8dc8e758c79eee0aa6710bff988055198P", h.objectPath());
        assertEquals("14a637b8dc8e758c79eee0aa6710bff988055198P", h.toSuffixedText());
        ContentHash r = ContentHash.parseSuffixed("0123456789abcdef0123456789abcdef01234567-rmd160C");
        assertEquals("01/23456789abcdef0123456789abcdef01234567-rmd160C", r.objectPath());
    }

    @Test
    void suffixTakesPartInEquality() {
        ContentHash plain = ContentHash.parse(EMPTY_FILE, ObjectSuffix.NONE);
        assertNotEquals(plain, plain.withSuffix(ObjectSuffix.CATALOG));
        assertEquals(plain, plain.withSuffix(ObjectSuffix.CATALOG).withSuffix(ObjectSuffix.NONE));
    }

    @Test
    void refusesMalformedText() {
        // Each refusal names the reason and quotes the input, so that a log line tells which object
        // name was bad; an input that parsed (or failed somewhere else) would change the message.
        String[][] cases = {
                {"", "not a content hash: ''"},
                {"abc", "not a content hash: 'abc'"},
                // Upper-case hex is not the store's spelling, although HexFormat would read it.
                {EMPTY_FILE.toUpperCase(), "not a content hash: '" + EMPTY_FILE.toUpperCase() + "'"},
                {EMPTY_FILE + "-md5", "not a content hash: '" + EMPTY_FILE + "-md5'"},
                {"../" + EMPTY_FILE.substring(3), "not a content hash: '../" + EMPTY_FILE.substring(3) + "'"},
                {EMPTY_FILE.substring(1) + "\0", "not a content hash: '" + EMPTY_FILE.substring(1) + "\0'"},
                {EMPTY_FILE + "Q", "unknown object suffix 'Q'"},
                // A suffix letter alone, and an identifier at the length of another algorithm.
                {"C", "not a content hash: ''"},
                {EMPTY_FILE.substring(2) + "-rmd160", "not a content hash: '" + EMPTY_FILE.substring(2) + "-rmd160'"},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ContentHash.parseSuffixed(c[0]), c[0]);
            assertEquals(c[1], e.getMessage());
        }
    }

    @Test
    void refusalQuotesAtMostEightyCharacters() {
        String longText = "a".repeat(81);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ContentHash.parse(longText, ObjectSuffix.NONE));
        assertEquals("not a content hash: '" + "a".repeat(80) + "...'", e.getMessage());
        String eighty = "a".repeat(80);
        e = assertThrows(IllegalArgumentException.class, () -> ContentHash.parse(eighty, ObjectSuffix.NONE));
        assertEquals("not a content hash: '" + eighty + "'", e.getMessage());
    }

    @Test
    void otherAlgorithmsProduceTwentyBytes() {
        byte[] data = "hello".getBytes(StandardCharsets.US_ASCII);
        for (HashAlgorithm a : HashAlgorithm.values()) {
            ContentHash h = ContentHash.compute(a, data, ObjectSuffix.NONE);
            assertEquals(a.textLength(), h.toText().length());
            assertTrue(h.matches(data));
        }
        // Published test vector for RIPEMD-160("hello").
        assertEquals("108f07b8382412612c048d07d13f814118445acd-rmd160",
                ContentHash.compute(HashAlgorithm.RMD160, data, ObjectSuffix.NONE).toText());
    }
}
