package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.cvmfs.suite.protocol.name.RawName;
import org.junit.jupiter.api.Test;

class RepositoryPathTest {
    @Test
    void structure() {
        RepositoryPath p = RepositoryPath.of("/sw/lib/x");
        assertEquals(3, p.depth());
        assertEquals("x", p.name());
        assertEquals(RepositoryPath.of("/sw/lib"), p.parent());
        assertEquals(RepositoryPath.ROOT, p.ancestor(0));
        assertEquals(RepositoryPath.of("/sw"), p.ancestor(1));
        assertEquals(p, p.ancestor(3));
        assertThrows(IllegalArgumentException.class, () -> p.ancestor(4));
        assertThrows(IllegalStateException.class, () -> RepositoryPath.ROOT.parent());
        assertEquals("", RepositoryPath.ROOT.name());
        assertEquals(0, RepositoryPath.ROOT.depth());
    }

    @Test
    void boundaryAwareContainment() {
        RepositoryPath lib = RepositoryPath.of("/sw/lib");
        assertTrue(RepositoryPath.of("/sw/lib/x").isSameOrUnder(lib));
        assertTrue(lib.isSameOrUnder(lib));
        assertFalse(lib.isStrictlyUnder(lib));
        assertFalse(RepositoryPath.of("/sw/libx").isSameOrUnder(lib));
        assertTrue(lib.isSameOrUnder(RepositoryPath.ROOT));
        assertFalse(RepositoryPath.ROOT.isSameOrUnder(lib));
    }

    @Test
    void leaseForm() {
        assertEquals(RepositoryPath.ROOT, RepositoryPath.ofRelative(""));
        assertEquals(RepositoryPath.of("/sw/sub"), RepositoryPath.ofRelative("sw/sub"));
        assertEquals("sw/sub", RepositoryPath.of("/sw/sub").relative());
        assertEquals("", RepositoryPath.ROOT.relative());
        assertThrows(IllegalArgumentException.class, () -> RepositoryPath.ofRelative("/sw"));
        assertThrows(IllegalArgumentException.class, () -> RepositoryPath.ofRelative("sw/"));
        assertThrows(IllegalArgumentException.class, () -> RepositoryPath.ofRelative("../etc"));
        assertThrows(IllegalArgumentException.class, () -> RepositoryPath.ofRelative(null));
    }

    @Test
    void everyComponentIsCheckedWhereverItStands() {
        String longest = "n".repeat(RepositoryPath.MAX_NAME_BYTES);
        for (String ok : new String[] {"/a", "/a/b", "/...", "/.a", "/a.", "/a/..b/c", "/" + longest, "/x/" + longest,
                "/caf\u00e9", "/a/caf\u00e9/b", "/" + "\u00e9".repeat(127), "/" + RawName.decode(new byte[] {'a', (byte) 0xff})}) {
            assertEquals(ok, RepositoryPath.of(ok).value());
        }
        String tooLong = "n".repeat(RepositoryPath.MAX_NAME_BYTES + 1);
        String[][] refused = {
                {"a", "does not start with '/'"}, {"/", "empty path component"}, {"//a", "empty path component"},
                {"/a//b", "empty path component"}, {"/a/", "empty path component"}, {"/.", "'.' is not allowed"},
                {"/a/..", "'..' is not allowed"}, {"/./a", "'.' is not allowed"}, {"/a\0b", "NUL byte in name 'a\\0b'"},
                {"/" + tooLong, "256 bytes exceeds 255"}, {"/b/" + tooLong + "/c", "256 bytes exceeds 255"},
                {"/" + "\u00e9".repeat(128), "256 bytes exceeds 255"}, {"/a\ud800", "is not valid Unicode"}};
        for (String[] bad : refused) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RepositoryPath.of(bad[0]));
            assertTrue(e.getMessage().contains(bad[1]), bad[0] + ": " + e.getMessage());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RepositoryPath.of("/x/.."))
                .getMessage().endsWith("in repository path '/x/..'"));
        assertEquals("a", RepositoryPath.requireValidName("a"));
        assertEquals("empty path component", assertThrows(IllegalArgumentException.class,
                () -> RepositoryPath.requireValidName("")).getMessage());
        assertThrows(IllegalArgumentException.class, () -> RepositoryPath.of("/sw").child("a/b"));
        assertEquals(RepositoryPath.of("/sw/" + longest), RepositoryPath.of("/sw").child(longest));
        assertEquals(longest.length(), RepositoryPath.of("/" + longest).bytes().length - 1);
        assertEquals("/caf\u00e9", new String(RepositoryPath.of("/caf\u00e9").bytes(), StandardCharsets.UTF_8));
    }
}
