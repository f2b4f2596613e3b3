package org.cvmfs.suite.protocol.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The suite's SHA-1 gives the JDK's digest for every length, however the input is split. */
class Sha1DigesterTest {
    @Test
    void knownAnswers() {
        assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", hex(""));
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", hex("abc"));
        assertEquals("84983e441c3bd26ebaae4aa1f95129e5e54670f1",
                hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
    }

    @Test
    void everyLengthAroundTheBlockBoundariesAsTheJdkHashesIt() throws Exception {
        Random random = new Random(11);
        for (int length = 0; length <= 300; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            byte[] expected = MessageDigest.getInstance("SHA-1").digest(data);
            assertArrayEquals(expected, HashAlgorithm.SHA1.digest(data), "length " + length);
            HashAlgorithm.Digester pieces = HashAlgorithm.SHA1.newDigester();
            for (int off = 0; off < length; ) {
                int n = Math.min(length - off, random.nextInt(70));
                pieces.update(data, off, n);
                off += n;
            }
            assertArrayEquals(expected, pieces.finish(), "length " + length + " in pieces");
        }
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        random.nextBytes(large);
        assertArrayEquals(MessageDigest.getInstance("SHA-1").digest(large), HashAlgorithm.SHA1.digest(large));
    }

    @Test
    void anOffsetIntoALargerArrayHashesOnlyItsRange() throws Exception {
        byte[] data = "xxabcxx".getBytes(StandardCharsets.US_ASCII);
        HashAlgorithm.Digester d = HashAlgorithm.SHA1.newDigester();
        d.update(data, 2, 3);
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", HexFormat.of().formatHex(d.finish()));
        assertThrows(IndexOutOfBoundsException.class, () -> HashAlgorithm.SHA1.newDigester().update(data, 5, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> HashAlgorithm.SHA1.newDigester().update(data, -1, 1));
    }

    private static String hex(String text) {
        return HexFormat.of().formatHex(HashAlgorithm.SHA1.digest(text.getBytes(StandardCharsets.US_ASCII)));
    }
}
