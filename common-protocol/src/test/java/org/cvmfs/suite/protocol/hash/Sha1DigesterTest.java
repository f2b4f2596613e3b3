package org.cvmfs.suite.protocol.hash;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.testing.SharedLibraries;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Both of the suite's SHA-1s, the Java one and libcrypto's, give the JDK's digest for every
 * length, however the input is split.
 */
class Sha1DigesterTest {
    static Stream<Arguments> digesters() {
        Supplier<HashAlgorithm.Digester> java = Sha1Digester::new;
        Supplier<HashAlgorithm.Digester> libcrypto = NativeSha1::new;
        // libcrypto's only where it is bound: libcryptoIsBoundWhereItIsInstalled says whether it should be
        return NativeSha1.available() ? Stream.of(Arguments.of("java", java), Arguments.of("libcrypto", libcrypto))
                : Stream.of(Arguments.of("java", java));
    }

    @Test
    void libcryptoIsBoundWhereItIsInstalledAndHashesEverySha1() {
        assumeTrue(SharedLibraries.installed("libcrypto.so.3", "libcrypto.so.1.1"), "libcrypto is not installed here");
        assertTrue(NativeSha1.available(), "libcrypto is installed but not bound: is the suite's JNI library built?");
        assertInstanceOf(NativeSha1.class, HashAlgorithm.SHA1.newDigester());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("digesters")
    void knownAnswers(String name, Supplier<HashAlgorithm.Digester> digesters) {
        assertEquals("da39a3ee5e6b4b0d3255bfef95601890afd80709", hex(digesters, ""));
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", hex(digesters, "abc"));
        assertEquals("84983e441c3bd26ebaae4aa1f95129e5e54670f1",
                hex(digesters, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("digesters")
    void everyLengthAroundTheBlockBoundariesAsTheJdkHashesIt(String name, Supplier<HashAlgorithm.Digester> digesters)
            throws Exception {
        Random random = new Random(11);
        for (int length = 0; length <= 300; length++) {
            byte[] data = new byte[length];
            random.nextBytes(data);
            byte[] expected = MessageDigest.getInstance("SHA-1").digest(data);
            HashAlgorithm.Digester whole = digesters.get();
            whole.update(data, 0, length);
            assertArrayEquals(expected, whole.finish(), "length " + length);
            HashAlgorithm.Digester pieces = digesters.get();
            for (int off = 0; off < length; ) {
                int n = Math.min(length - off, random.nextInt(70));
                pieces.update(data, off, n);
                off += n;
            }
            assertArrayEquals(expected, pieces.finish(), "length " + length + " in pieces");
        }
        byte[] large = new byte[3 * 1024 * 1024 + 17];
        random.nextBytes(large);
        HashAlgorithm.Digester d = digesters.get();
        d.update(large, 0, large.length);
        assertArrayEquals(MessageDigest.getInstance("SHA-1").digest(large), d.finish());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("digesters")
    void anOffsetIntoALargerArrayHashesOnlyItsRange(String name, Supplier<HashAlgorithm.Digester> digesters) {
        byte[] data = "xxabcxx".getBytes(StandardCharsets.US_ASCII);
        HashAlgorithm.Digester d = digesters.get();
        d.update(data, 2, 3);
        d.update(data, 7, 0);
        assertEquals("a9993e364706816aba3e25717850c26c9cd0d89d", HexFormat.of().formatHex(d.finish()));
        assertThrows(IndexOutOfBoundsException.class, () -> digesters.get().update(data, 5, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> digesters.get().update(data, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> digesters.get().update(data, 0, -1));
    }

    @Test
    void libcryptoRefusesADigestAlreadyFinished() {
        assumeTrue(NativeSha1.available(), "libcrypto is not bound here");
        NativeSha1 d = new NativeSha1();
        d.finish();
        assertThrows(IllegalStateException.class, d::finish);
        assertThrows(IllegalStateException.class, () -> d.update(new byte[1], 0, 1));
    }

    private static String hex(Supplier<HashAlgorithm.Digester> digesters, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        HashAlgorithm.Digester d = digesters.get();
        d.update(bytes, 0, bytes.length);
        return HexFormat.of().formatHex(d.finish());
    }
}
