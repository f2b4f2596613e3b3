package org.cvmfs.suite.protocol.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The exact limits of lease paths and of upstream's {@code LIKE 'prefix%'} conflict rule: the
 * byte limit itself, the first character that is not a control character, the letters at the
 * ends of the ASCII case fold, and {@code %} wildcards that must backtrack. Written from the
 * survivors of a PIT run (issue 9).
 */
class LeasePathLimitsTest {
    @Test
    void exactlyMaxBytesIsALeasePathOneMoreIsNot() {
        String repo = "repo";
        String sub = "/" + "a".repeat(LeasePath.MAX_BYTES - repo.length() - 1);
        assertEquals(LeasePath.MAX_BYTES, LeasePath.parse(repo + sub).toWire().length());
        LeasePathException e = assertThrows(LeasePathException.class, () -> LeasePath.parse(repo + sub + "a"));
        assertEquals("lease path is longer than 4096 bytes", e.getMessage());
    }

    @Test
    void spaceIsTheFirstCharacterAllowed() {
        assertEquals("repo/a b", LeasePath.parse("repo/a b").toWire());
        assertEquals("lease path contains the control character 0x1f",
                assertThrows(LeasePathException.class, () -> LeasePath.parse("repo/a\u001fb")).getMessage());
        assertEquals("lease path contains the control character 0x7f",
                assertThrows(LeasePathException.class, () -> LeasePath.parse("repo/a\u007fb")).getMessage());
    }

    @Test
    void componentRulesApplyToTheSubpathOnly() {
        // a repository name ending in a dot is not a '.' component of the subpath
        assertEquals("repo./sw", LeasePath.parse("repo./sw").toWire());
        assertEquals("lease path contains a '.' component",
                assertThrows(LeasePathException.class, () -> LeasePath.parse("repo/./sw")).getMessage());
    }

    @Test
    void aRepositoryNameHoldsNoSlash() {
        for (String[] bad : new String[][] {{"/repo", "/sw"}, {"re/po", "/sw"}, {"", "/sw"}, {"repo", "sw"}}) {
            LeasePathException e = assertThrows(LeasePathException.class, () -> new LeasePath(bad[0], bad[1]));
            assertEquals("missing repository name or subpath", e.getMessage());
        }
    }

    @Test
    void caseFoldCoversAToZExactly() {
        assertTrue(LeasePath.likePrefix("/Abc", "/a"));
        assertTrue(LeasePath.likePrefix("/a", "/A"));
        assertTrue(LeasePath.likePrefix("/Zed", "/z"));
        assertTrue(LeasePath.likePrefix("/z", "/Z"));
        // '@' and '[' border 'A' and 'Z'; their +32 neighbours '`' and '{' must not match them
        assertFalse(LeasePath.likePrefix("/@", "/`"));
        assertFalse(LeasePath.likePrefix("/`", "/@"));
        assertFalse(LeasePath.likePrefix("/[", "/{"));
        assertFalse(LeasePath.likePrefix("/{", "/["));
    }

    @Test
    void percentInThePrefixMatchesAnyRunIncludingNone() {
        assertTrue(LeasePath.likePrefix("/x", "/%x"), "% matching nothing");
        assertTrue(LeasePath.likePrefix("ab", "%b"), "% first, backtracking once");
        assertTrue(LeasePath.likePrefix("/aaab", "/%ab"), "backtracking several times");
        assertFalse(LeasePath.likePrefix("/aaa", "/%b"));
        assertTrue(LeasePath.likePrefix("/a_c", "/a_"), "'_' matches one character");
        assertFalse(LeasePath.likePrefix("/a", "/a_"), "'_' needs a character");
    }
}
