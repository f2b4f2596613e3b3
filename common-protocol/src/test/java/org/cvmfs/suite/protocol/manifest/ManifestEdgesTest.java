package org.cvmfs.suite.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Manifest and key-directory cases at their edges: a timestamp of zero is still a {@code T} line,
 * a signed file whose body is empty still splits at its first {@code --} line, quoted text is cut
 * at 80 characters, and the key directory tells which keys a host has. Written from the survivors
 * of a PIT run (issue 9).
 */
class ManifestEdgesTest {
    private static final String BODY = "Cdd4d06d15720fac2a8599b3f0312f643e6aa562d\nB16384\n"
            + "Rd41d8cd98f00b204e9800998ecf8427e\nD240\nS1\nGno\nAno\nNx.org\n";

    @Test
    void publishedAtZeroIsWrittenAndRead() {
        Manifest m = Manifest.parseBody((BODY + "T0\n").getBytes(StandardCharsets.US_ASCII));
        assertEquals(0, m.publishedSeconds());
        assertTrue(new String(m.exportBody(), StandardCharsets.US_ASCII).contains("\nT0\n"));
        Manifest absent = Manifest.parseBody(BODY.getBytes(StandardCharsets.US_ASCII));
        assertEquals(-1, absent.publishedSeconds());
        assertFalse(new String(absent.exportBody(), StandardCharsets.US_ASCII).contains("\nT"));
    }

    @Test
    void anEmptyBodySplitsAtTheFirstSeparator() {
        SignedText t = SignedText.split("\n--\nabc\nSIG".getBytes(StandardCharsets.US_ASCII), "manifest", 1000);
        assertArrayEquals(new byte[] {'\n'}, t.body(), "the body keeps its final LF");
        assertEquals("abc", t.hashText());
        assertArrayEquals("SIG".getBytes(StandardCharsets.US_ASCII), t.signature());
    }

    @Test
    void quotesAreCutAtEightyCharacters() {
        assertEquals("x".repeat(80), SignedText.abbreviate("x".repeat(80)));
        assertEquals("x".repeat(80) + "...", SignedText.abbreviate("x".repeat(81)));
    }

    @Test
    void theKeyDirectoryTellsWhichKeysAHostHas(@TempDir Path dir) throws Exception {
        KeyDirectory keys = new KeyDirectory(dir);
        assertEquals(dir.resolve("r.org.gw"), keys.gatewayKeyFile("r.org"));
        assertFalse(keys.hasRepositoryKeys("r.org"));
        Files.writeString(keys.privateKeyFile("r.org"), "k");
        assertFalse(keys.hasRepositoryKeys("r.org"), "a private key without its certificate");
        Files.delete(keys.privateKeyFile("r.org"));
        Files.writeString(keys.certificateFile("r.org"), "c");
        assertFalse(keys.hasRepositoryKeys("r.org"), "a certificate without its private key");
        Files.writeString(keys.privateKeyFile("r.org"), "k");
        assertTrue(keys.hasRepositoryKeys("r.org"));
    }
}
