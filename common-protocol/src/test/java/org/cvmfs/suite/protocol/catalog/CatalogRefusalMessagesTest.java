package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Each hostile path and malformed xattr blob is refused for its own reason. The older tests
 * ({@code WritableCatalogTest.xattrs...}, {@code CatalogVerifierHostileTest.hostilePathsAreRefused})
 * only check that something is refused (their third argument is a failure label, not the expected
 * message), so an input stopped by the wrong check, or a deleted check whose input happens to
 * trip another one, would pass them; these assert the exact reason (issue 9).
 */
class CatalogRefusalMessagesTest {
    private static void refused(String expected, Executable action) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, action, expected);
        assertEquals(expected, e.getMessage());
    }

    @Test
    void hostileRepositoryPaths() {
        refused("path component '..' is not allowed in repository path '/a/../b'", () -> RepositoryPath.of("/a/../b"));
        refused("path component '.' is not allowed in repository path '/a/./b'", () -> RepositoryPath.of("/a/./b"));
        refused("empty path component in repository path '/a//b'", () -> RepositoryPath.of("/a//b"));
        refused("empty path component in repository path '/a/'", () -> RepositoryPath.of("/a/"));
        refused("empty path component in repository path '/'", () -> RepositoryPath.of("/"));
        refused("repository path 'a' does not start with '/' (the root is the empty string)", () -> RepositoryPath.of("a"));
        refused("NUL byte in name 'a\\0b' in repository path '/a\\0b'", () -> RepositoryPath.of("/a\0b"));
        refused("name '\uD800' is not valid Unicode in repository path '/\uD800'", () -> RepositoryPath.of("/\uD800"));
        refused("name of 256 bytes exceeds 255 in repository path '/" + "x".repeat(119) + "...'",
                () -> RepositoryPath.of("/" + "x".repeat(256)));
        refused("name of 256 bytes exceeds 255", () -> RepositoryPath.ROOT.child("é".repeat(128)));
        refused("'/' in name 'a/b'", () -> RepositoryPath.ROOT.child("a/b"));
    }

    @Test
    void malformedXattrBlobs() {
        refused("xattr blob is null", () -> XattrList.parse(null));
        refused("xattr blob of 1 bytes has no header", () -> XattrList.parse(new byte[] {1}));
        refused("xattr blob version 2, expected 1", () -> XattrList.parse(new byte[] {2, 0}));
        refused("xattr blob truncated in the header of entry 0 of 1", () -> XattrList.parse(new byte[] {1, 1, 3}));
        refused("xattr blob truncated in entry 0 of 1", () -> XattrList.parse(new byte[] {1, 1, 3, 0, 'a'}));
        refused("1 bytes after the last of 0 xattr entries", () -> XattrList.parse(new byte[] {1, 0, 0}));
        refused("xattr key is empty", () -> XattrList.parse(new byte[] {1, 1, 0, 0}));
        refused("xattr key '\\0' contains NUL", () -> XattrList.parse(new byte[] {1, 1, 1, 0, 0}));
        refused("xattr blob repeats key 'a'", () -> XattrList.parse(new byte[] {1, 2, 1, 0, 'a', 1, 0, 'a'}));
        refused("xattr key of entry 0 is not UTF-8: ff", () -> XattrList.parse(new byte[] {1, 1, 1, 0, (byte) 0xff}));
    }

    @Test
    void oversizedXattrs() {
        refused("xattr 'k' value of 256 bytes exceeds 255", () -> XattrList.of(Map.of("k", new byte[256])));
        XattrList.of(Map.of("k", new byte[255]));
        // one length byte each in the blob: 255 is the most a key or value can be
        refused("xattr key of 256 bytes exceeds 255", () -> XattrList.of(Map.of("k".repeat(256), new byte[0])));
        XattrList.of(Map.of("k".repeat(255), new byte[0]));
        refused("xattr 'k' has a null value", () -> XattrList.of(java.util.Collections.singletonMap("k", null)));
    }
}
