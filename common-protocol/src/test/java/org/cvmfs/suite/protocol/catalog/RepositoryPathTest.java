package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
