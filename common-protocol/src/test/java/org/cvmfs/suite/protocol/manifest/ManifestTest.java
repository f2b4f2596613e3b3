package org.cvmfs.suite.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Arrays;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;

class ManifestTest {
    @Test
    void parsesUpstreamManifestAndExportsTheSameBody() throws Exception {
        byte[] file = Files.readAllBytes(Fixtures.upstreamTestLocal().resolve("served/.cvmfspublished"));
        byte[] body = bodyOf(file);
        Manifest m = Manifest.parseBody(body);
        assertEquals("test.local", m.repositoryName());
        assertEquals(3, m.revision());
        assertEquals(ObjectSuffix.CATALOG, m.rootCatalog().suffix());
        assertEquals(240, m.ttlSeconds());
        assertTrue(m.historyHash().isPresent());
        assertArrayEquals(body, m.exportBody(), "writer order and format must equal upstream's");
    }

    @Test
    void refusesMissingOrMalformedLines() {
        String good = "Cdd4d06d15720fac2a8599b3f0312f643e6aa562d\nB16384\nRd41d8cd98f00b204e9800998ecf8427e\nD240\nS1\nGno\nAno\nNx.org\n";
        Manifest.parseBody(good.getBytes(StandardCharsets.US_ASCII));
        assertFault(good.replace("S1\n", ""), "no S line");
        assertFault(good.replace("S1\n", "S-4\n"), "S line is not a number");
        assertFault(good.replace("Rd41d8cd98f00b204e9800998ecf8427e", "Rffff"), "R line");
        assertFault(good.replace("Cdd4d", "Czz4d"), "C line is not a content hash");
        assertFault(good.replace("Nx.org\n", ""), "no N line");
    }

    private static void assertFault(String body, String expected) {
        ManifestException e = assertThrows(ManifestException.class,
                () -> Manifest.parseBody(body.getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static byte[] bodyOf(byte[] file) {
        String s = new String(file, StandardCharsets.ISO_8859_1);
        int end = s.indexOf("\n--\n");
        return Arrays.copyOf(file, end + 1);
    }
}
