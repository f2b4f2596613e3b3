package org.cvmfs.suite.protocol.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class LeasePathTest {
    @Test
    void parsesTheWireForm() {
        LeasePath p = LeasePath.parse("test.cern.ch/sw/v1");
        assertEquals("test.cern.ch", p.repository());
        assertEquals("/sw/v1", p.subpath());
        assertEquals("test.cern.ch/sw/v1", p.toWire());
        assertEquals("test.cern.ch/sw/v1", p.combined());
        LeasePath root = LeasePath.parse("test.cern.ch/");
        assertEquals("/", root.subpath());
        assertEquals("test.cern.ch/", root.combined());
        assertEquals(root, LeasePath.wholeRepository("test.cern.ch"));
        assertEquals("/sw/", LeasePath.parse("r/sw/").subpath(), "a trailing slash is kept verbatim, as upstream");
    }

    @Test
    void upstreamRefusalsKeepUpstreamReasons() {
        assertEquals("input has leading slash", refusal("/test.cern.ch/x"));
        assertEquals("missing repository name or subpath", refusal("test.cern.ch"));
        assertEquals("missing repository name or subpath", refusal(""));
        assertEquals("missing repository name or subpath", refusal(null));
    }

    @Test
    void hostilePathsAreRefused() {
        assertTrue(refusal("repo/../other").contains("'..'"));
        assertTrue(refusal("repo/sw/../../etc").contains("'..'"));
        assertTrue(refusal("repo/./sw").contains("'.'"));
        assertTrue(refusal("repo/sw/..").contains("'..'"));
        assertTrue(refusal("repo//sw").contains("empty component"));
        assertTrue(refusal("repo/sw\0x").contains("control character"));
        assertTrue(refusal("repo/sw\nx").contains("control character"));
        assertTrue(refusal("repo/" + "a".repeat(LeasePath.MAX_BYTES)).contains("longer than"));
        assertEquals("/..a/b..", LeasePath.parse("repo/..a/b..").subpath(), "dots inside names are fine");
        assertThrows(LeasePathException.class, () -> new LeasePath("re/po", "/x"));
        assertThrows(LeasePathException.class, () -> new LeasePath("repo", "x"));
    }

    @Test
    void conflictIsAStringPrefixEitherWay() {
        assertConflict("r/sw", "r/sw/sub");
        assertConflict("r/sw/sub", "r/sw");
        assertConflict("r/", "r/anything/at/all");
        assertConflict("r/foo", "r/foobar");
        assertConflict("r/sw", "r/sw");
        assertNoConflict("r/sw", "r/data");
        assertNoConflict("r/sw/a", "r/sw/b");
        assertNoConflict("r/sw", "other/sw");
    }

    @Test
    void conflictFollowsSqlLikeSemantics() {
        assertConflict("r/Foo", "r/foo/x");
        assertConflict("r/a_b", "r/axb/c");
        assertConflict("r/a%", "r/abc/def");
        assertNoConflict("r/a_b", "r/ab");
        assertNoConflict("r/\u00e9", "r/\u00c9"); // SQLite folds ASCII only
        assertTrue(LeasePath.likePrefix("/sw/x", "/sw"));
        assertFalse(LeasePath.likePrefix("/s", "/sw"));
        assertTrue(LeasePath.likePrefix("/anything", "/"));
        assertTrue(LeasePath.likePrefix("/SW/lib", "/sw/"));
    }

    @Test
    void keyPathRuleAsUpstream() {
        assertTrue(permitted("/a/b", "/"));
        assertTrue(permitted("/", "/"));
        assertTrue(permitted("/x", ""));
        assertTrue(permitted("/a/b", "/a/b"));
        assertTrue(permitted("/a/b/c", "/a/b"));
        assertTrue(permitted("/a/b/", "/a/b"));
        assertFalse(permitted("/a", "/a/b"));
        assertFalse(permitted("/a/bc", "/a/b"));
        assertFalse(permitted("/x", "/a/b"));
        assertFalse(permitted("/", "/a/b"));
    }

    private static boolean permitted(String subpath, String keyPath) {
        return new LeasePath("r", subpath).permittedBy(keyPath);
    }

    private static void assertConflict(String a, String b) {
        assertTrue(LeasePath.parse(a).conflictsWith(LeasePath.parse(b)), a + " vs " + b);
    }

    private static void assertNoConflict(String a, String b) {
        assertFalse(LeasePath.parse(a).conflictsWith(LeasePath.parse(b)), a + " vs " + b);
    }

    private static String refusal(String wire) {
        return assertThrows(LeasePathException.class, () -> LeasePath.parse(wire)).getMessage();
    }
}
