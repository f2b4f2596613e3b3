package org.cvmfs.suite.protocol.files;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DirectoryTreeTest {
    @TempDir
    Path tmp;

    /** A tree with nesting, an empty directory, and links that point outside it. */
    private Path tree(Path outside) throws Exception {
        Path root = tmp.resolve("tree");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/file"), "deep");
        Files.writeString(root.resolve("top"), "top");
        Files.createDirectories(root.resolve("empty"));
        Files.createSymbolicLink(root.resolve("a/dirlink"), outside);
        Files.createSymbolicLink(root.resolve("filelink"), outside.resolve("kept"));
        return root;
    }

    @Test
    void deleteRemovesEverythingButNothingBehindALink() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("kept"), "kept");
        Path root = tree(outside);
        DirectoryTree.delete(root);
        assertFalse(Files.exists(root, LinkOption.NOFOLLOW_LINKS));
        assertEquals("kept", Files.readString(outside.resolve("kept")));
        DirectoryTree.delete(root);  // absent is fine
    }

    @Test
    void deleteOpensDirectoriesOfTheTreeThatAreNotWritable() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("published/inner"));
        Files.writeString(root.resolve("f"), "x");
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("r-xr-xr-x"));
        Files.setPosixFilePermissions(root.getParent(), PosixFilePermissions.fromString("r-x------"));
        DirectoryTree.delete(tmp.resolve("published"));
        assertFalse(Files.exists(tmp.resolve("published"), LinkOption.NOFOLLOW_LINKS));
    }

    @Test
    void deleteReportsWhatItCannotRemove() throws Exception {
        // the directory holding the tree is not the tree's: its modes are left alone
        Path root = Files.createDirectories(tmp.resolve("locked/inner"));
        Files.writeString(root.resolve("f"), "x");
        Files.setPosixFilePermissions(root.getParent(), PosixFilePermissions.fromString("r-xr-xr-x"));
        try {
            if (Files.isWritable(root.getParent())) {
                return;  // running as root: permissions do not stop the removal
            }
            UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> DirectoryTree.delete(root));
            assertEquals("cannot remove " + root, e.getMessage());
        } finally {
            Files.setPosixFilePermissions(root.getParent(), PosixFilePermissions.fromString("rwxr-xr-x"));
        }
    }

    @Test
    void copyReproducesTheTreeWithLinksAsLinks() throws Exception {
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("kept"), "kept");
        Path root = tree(outside);
        Files.setPosixFilePermissions(root.resolve("top"), Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_EXECUTE));
        Path copy = DirectoryTree.copy(root, tmp.resolve("new/copy"));
        assertEquals(tmp.resolve("new/copy"), copy);
        assertEquals(listing(root), listing(copy));
        assertEquals("deep", Files.readString(copy.resolve("a/b/file")));
        assertEquals("top", Files.readString(copy.resolve("top")));
        assertEquals("r-x------", PosixFilePermissions.toString(Files.getPosixFilePermissions(copy.resolve("top"))));
        assertTrue(Files.isDirectory(copy.resolve("empty"), LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(copy.resolve("a/dirlink")));
        assertEquals(outside, Files.readSymbolicLink(copy.resolve("a/dirlink")));
        assertEquals(outside.resolve("kept"), Files.readSymbolicLink(copy.resolve("filelink")));
    }

    @Test
    void copyOverAnExistingTreeReplacesItsFiles() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("src"));
        Files.writeString(root.resolve("f"), "new");
        Path target = Files.createDirectories(tmp.resolve("dst"));
        Files.writeString(target.resolve("f"), "old and longer");
        Files.writeString(target.resolve("other"), "untouched");
        DirectoryTree.copy(root, target);
        assertEquals("new", Files.readString(target.resolve("f")));
        assertEquals("untouched", Files.readString(target.resolve("other")));
    }

    @Test
    void copyOfAMissingTreeNamesIt() {
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> DirectoryTree.copy(tmp.resolve("none"), tmp.resolve("dst")));
        assertEquals("cannot copy " + tmp.resolve("none") + " to " + tmp.resolve("dst"), e.getMessage());
    }

    private static List<String> listing(Path root) throws Exception {
        try (Stream<Path> walk = Files.walk(root)) {
            return walk.map(p -> root.relativize(p) + (Files.isSymbolicLink(p) ? "@" : Files.isDirectory(p) ? "/" : ""))
                    .sorted().toList();
        }
    }
}
