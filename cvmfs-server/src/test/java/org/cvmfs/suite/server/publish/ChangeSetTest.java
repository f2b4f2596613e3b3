package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChangeSetTest {
    private static final RepositoryPath SW = RepositoryPath.of("/sw");

    @TempDir
    Path tmp;
    Path work;
    Path probe;

    @BeforeEach
    void materialise() throws Exception {
        work = Files.createDirectories(tmp.resolve("work"));
        probe = tmp.resolve("probe");
        Files.createDirectories(work.resolve("lib/deep"));
        Files.writeString(work.resolve("lib/version.txt"), "1.0");
        Files.writeString(work.resolve("lib/deep/x"), "x");
        Files.writeString(work.resolve("README"), "read me");
        Files.createSymbolicLink(work.resolve("link"), Path.of("README"));
        Files.createDirectories(work.resolve("nested"));
        Files.createFile(work.resolve("nested/.cvmfscatalog"));
        Files.writeString(work.resolve("nested/data"), "data");
    }

    private TreeSnapshot settledSnapshot() {
        TreeSnapshot.awaitClockTick(probe);
        return TreeSnapshot.take(work, SW, probe, Map.of());
    }

    private ChangeSet changes(TreeSnapshot before) {
        return ChangeSet.compute(before, TreeScanner.scan(work, SW));
    }

    @Test
    void untouchedTreeHasNoChanges() {
        TreeSnapshot before = settledSnapshot();
        ChangeSet c = changes(before);
        assertTrue(c.isEmpty(), c.toString());
        assertEquals(List.of(), c.contentToProcess().toList());
    }

    @Test
    void racySnapshotTrustsNoFile() {
        // taken without waiting: the files may still change within the snapshot's clock tick
        TreeSnapshot racy = TreeSnapshot.take(work, SW, probe, Map.of());
        long racyFiles = racy.tree().entries().values().stream().filter(e -> e.isRegular() && racy.isRacy(e)).count();
        ChangeSet c = changes(racy);
        assertEquals(racyFiles, c.modifications().size());
        assertTrue(c.modifications().stream().allMatch(ChangeSet.Modification::contentChanged));
    }

    @Test
    void editThatRestoresSizeAndMtimeIsStillSeen() throws Exception {
        Path version = work.resolve("lib/version.txt");
        FileTime mtime = Files.getLastModifiedTime(version);
        TreeSnapshot before = settledSnapshot();
        Files.writeString(version, "1.1");
        Files.setLastModifiedTime(version, mtime);
        ChangeSet c = changes(before);
        assertEquals(List.of(path("/sw/lib/version.txt")), c.contentToProcess().map(ScannedEntry::path).toList());
        assertTrue(c.modifications().stream().anyMatch(m -> m.path().equals(path("/sw/lib/version.txt")) && m.contentChanged()));
    }

    @Test
    void additionsRemovalsAndAttributeChanges() throws Exception {
        TreeSnapshot before = settledSnapshot();
        TreeSnapshot.awaitClockTick(probe);  // directory mtimes must be able to move
        Files.createDirectories(work.resolve("extra/sub"));
        Files.writeString(work.resolve("extra/sub/added.txt"), "new");
        DirectoryTree.delete(work.resolve("lib/deep"));
        Files.setPosixFilePermissions(work.resolve("lib"), PosixFilePermissions.fromString("rwx------"));
        Files.delete(work.resolve("link"));
        Files.createSymbolicLink(work.resolve("link"), Path.of("lib"));

        ChangeSet c = changes(before);

        assertEquals(List.of("/sw/extra", "/sw/extra/sub", "/sw/extra/sub/added.txt"),
                c.additions().stream().map(e -> e.path().toString()).toList());
        assertEquals(List.of("/sw/lib/deep", "/sw/lib/deep/x"),
                c.removals().stream().map(e -> e.path().toString()).toList());
        List<String> modified = c.modifications().stream().map(m -> m.path().toString()).sorted().toList();
        // the root and lib changed their mtime (entries added/removed), lib its mode, link its target
        assertEquals(List.of("/sw", "/sw/lib", "/sw/link"), modified);
        assertTrue(c.modifications().stream().noneMatch(ChangeSet.Modification::contentChanged));
        assertEquals(List.of(path("/sw/extra/sub/added.txt")), c.contentToProcess().map(ScannedEntry::path).toList());
    }

    @Test
    void typeChangeIsRemovalThenAddition() throws Exception {
        TreeSnapshot before = settledSnapshot();
        DirectoryTree.delete(work.resolve("lib"));
        Files.writeString(work.resolve("lib"), "now a file");
        Files.delete(work.resolve("README"));
        Files.createDirectories(work.resolve("README"));

        ChangeSet c = changes(before);

        // each removed subtree in one run, its root first
        assertEquals(List.of("/sw/README", "/sw/lib", "/sw/lib/deep", "/sw/lib/deep/x", "/sw/lib/version.txt"),
                c.removals().stream().map(e -> e.path().toString()).toList());
        assertEquals(List.of("/sw/README", "/sw/lib"), c.additions().stream().map(e -> e.path().toString()).toList());
    }

    @Test
    void aRemovedSubtreeIsOneRunEvenBesideANameThatSortsInsideIt() throws Exception {
        // in string order /sw/lib-old comes between /sw/lib and /sw/lib/deep
        Files.createDirectories(work.resolve("lib-old"));
        Files.writeString(work.resolve("lib-old/z"), "z");
        TreeSnapshot before = settledSnapshot();
        DirectoryTree.delete(work.resolve("lib"));
        DirectoryTree.delete(work.resolve("lib-old"));
        ChangeSet c = changes(before);
        assertEquals(List.of("/sw/lib", "/sw/lib/deep", "/sw/lib/deep/x", "/sw/lib/version.txt", "/sw/lib-old",
                "/sw/lib-old/z"), c.removals().stream().map(e -> e.path().toString()).toList());
    }

    @Test
    void treeOrderPutsADirectoryRightBeforeWhatIsBelowIt() {
        var order = ChangeSet.TREE_ORDER;
        assertTrue(order.compare(path("/a"), path("/a/x")) < 0);
        assertTrue(order.compare(path("/a/x"), path("/a")) > 0);
        assertTrue(order.compare(path("/a/x"), path("/a-b")) < 0, "below /a before its sibling /a-b");
        assertTrue(order.compare(path("/a-b"), path("/a/x")) > 0);
        assertTrue(order.compare(path("/a/b"), path("/a/c")) < 0);
        assertTrue(order.compare(path("/a/c"), path("/a/b")) > 0);
        assertEquals(0, order.compare(path("/a/b"), path("/a/b")));
    }

    @Test
    void catalogMarkersComingAndGoing() throws Exception {
        TreeSnapshot before = settledSnapshot();
        Files.delete(work.resolve("nested/.cvmfscatalog"));
        Files.createFile(work.resolve("lib/.cvmfscatalog"));
        ChangeSet c = changes(before);
        assertFalse(c.isEmpty());
        assertEquals(List.of(path("/sw/lib/.cvmfscatalog")), c.additions().stream().map(ScannedEntry::path).toList());
        assertEquals(List.of(path("/sw/nested/.cvmfscatalog")), c.removals().stream().map(ScannedEntry::path).toList());
    }

    @Test
    void hardLinkedFileIsProcessedOnce() throws Exception {
        TreeSnapshot before = settledSnapshot();
        Path a = Files.writeString(work.resolve("a"), "shared content");
        Files.createLink(work.resolve("b"), a);
        Files.createLink(work.resolve("lib/c"), a);
        ChangeSet c = changes(before);
        assertEquals(3, c.additions().size());
        assertEquals(List.of(path("/sw/a")), c.contentToProcess().map(ScannedEntry::path).toList());
    }

    @Test
    void snapshotSurvivesTheSpoolAndDamageIsRecognised() throws Exception {
        TreeSnapshot before = settledSnapshot();
        Path file = tmp.resolve("spool/work.snapshot");
        TreeSnapshotFile.write(file, before);
        TreeSnapshot read = TreeSnapshotFile.read(file);
        assertEquals(before.stampNanos(), read.stampNanos());
        assertEquals(before.tree().entries(), read.tree().entries());
        assertTrue(ChangeSet.compute(read, TreeScanner.scan(work, SW)).isEmpty());

        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        IllegalStateException flipped = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TreeSnapshotFile.read(file));
        assertTrue(flipped.getMessage().contains("damaged"), flipped.getMessage());

        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 30));
        IllegalStateException cut = org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TreeSnapshotFile.read(file));
        assertTrue(cut.getMessage().contains("damaged"), cut.getMessage());

        Files.writeString(file, "garbage");
        assertFalse(org.junit.jupiter.api.Assertions.assertThrows(IllegalStateException.class,
                () -> TreeSnapshotFile.read(file)).getMessage().isEmpty());
    }

    private static RepositoryPath path(String p) {
        return RepositoryPath.of(p);
    }
}
