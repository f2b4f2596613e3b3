package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserDefinedFileAttributeView;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.name.FileSystemNames;
import org.cvmfs.suite.protocol.name.RawName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An overlay of a spool's lower tree, edited through the mount as a user would, then scanned
 * ({@link UpperChanges}) and folded ({@link UpperFold}): the change set names exactly what
 * changed, and the folded lower tree is what the mount showed. Runs where overlays can be
 * mounted (root), skipped elsewhere.
 */
class OverlayLayersTest {
    private static final RepositoryPath LEASE = RepositoryPath.of("/sw");
    private static final ContentHash BASE = ContentHash.parseSuffixed("36648c0a923fdaca587f5440b541360c2d501ce3C");
    private static final ContentHash NEW = ContentHash.parseSuffixed("eef5f225445aef7083aad5959208c27c80710da8C");
    private static final String RAW = RawName.decode(HexFormat.of().parseHex("61ff62c3")); // a\xffb\xc3

    @TempDir
    Path tmp;
    PublisherSpool spool;
    WorkTreeMount mount;
    Path merged;

    @BeforeEach
    void lowerTree() throws IOException {
        assumeTrue(WorkTreeMount.overlayPermitted(tmp.resolve("probe")), "needs a host that permits overlay mounts");
        spool = new PublisherSpool(tmp.resolve("spool"));
        Path lower = Files.createDirectories(spool.lowerTree(LEASE));
        write(lower.resolve("kept.txt"), "kept");
        write(lower.resolve("edited.txt"), "before");
        write(lower.resolve("chmodded.txt"), "same content");
        write(lower.resolve("removed.txt"), "gone");
        write(lower.resolve("becomes-dir"), "a file");
        Files.createDirectories(lower.resolve("becomes-file"));
        write(lower.resolve("becomes-file/inner"), "inner");
        write(lower.resolve("gone/a/deep"), "deep");
        write(lower.resolve("gone/b"), "b");
        write(lower.resolve("replaced/old-1"), "old");
        write(lower.resolve("replaced/sub/old-2"), "old");
        write(lower.resolve("replaced/same-name"), "old");
        write(lower.resolve("dir/untouched"), "u");
        Files.createSymbolicLink(lower.resolve("link"), Path.of("kept.txt"));
        new LowerRecord(spool.lowerRecordFile(LEASE)).current(BASE, LEASE);
        new LowerTree(null, spool, tmp.resolve("catalogs")).freshUpper(LEASE);
        mount = new WorkTreeMount(tmp.resolve("cvmfs/repo.test"));
        mount.mountOverlay(spool.lowerTree(LEASE), spool.upperTree(), spool.overlayScratch(), LEASE);
        merged = mount.mountpoint(LEASE);
    }

    @AfterEach
    void unmount() {
        if (mount != null) {
            mount.unmount(LEASE);
        }
    }

    @Test
    void theChangeSetComesFromTheUpperLayerAlone() throws Exception {
        write(merged.resolve("added/new.txt"), "new");
        Files.writeString(merged.resolve("edited.txt"), "after");
        Files.setPosixFilePermissions(merged.resolve("chmodded.txt"), PosixFilePermissions.fromString("rwx------"));
        Files.delete(merged.resolve("removed.txt"));
        Files.delete(merged.resolve("becomes-dir"));
        Files.createDirectory(merged.resolve("becomes-dir"));
        DirectoryTree.delete(merged.resolve("becomes-file"));
        write(merged.resolve("becomes-file"), "now a file");
        DirectoryTree.delete(merged.resolve("gone"));
        DirectoryTree.delete(merged.resolve("replaced"));
        write(merged.resolve("replaced/same-name"), "new");
        write(merged.resolve("replaced/sub/fresh"), "new");
        Files.createLink(merged.resolve("added/second-name"), merged.resolve("added/new.txt"));
        write(FileSystemNames.resolve(merged, RAW), "raw name");
        Files.setPosixFilePermissions(merged.resolve("dir"), PosixFilePermissions.fromString("rwx--x--x"));
        mount.makeReadOnly(LEASE);

        // the same change set whether its lists stay in memory or go to files from their first entry
        Files.createDirectories(tmp.resolve("changes"));
        for (int memoryLimit : new int[] {EntryLog.MEMORY_LIMIT, 0}) {
            try (ChangeSet changes = UpperChanges.compute(spool.upperTree(), spool.lowerTree(LEASE), LEASE, true,
                    tmp.resolve("changes"), memoryLimit)) {
                assertEquals(memoryLimit == 0, changes.additions().spilled());
                assertEquals(List.of("added", "added/new.txt", "added/second-name", RawName.printable(RAW),
                        "becomes-dir", "becomes-file", "replaced/sub/fresh"), names(changes.additions()));
                Map<String, Boolean> modified = changes.modifications().stream().collect(Collectors.toMap(
                        m -> relative(m.path()), ChangeSet.Modification::contentChanged, (a, b) -> a, TreeMap::new));
                assertEquals(Map.of("", false, "chmodded.txt", true, "dir", false, "edited.txt", true, "replaced", false,
                        "replaced/same-name", true, "replaced/sub", false), modified);
                // each removed subtree in one run, its root first
                assertEquals(List.of("becomes-dir", "becomes-file", "becomes-file/inner", "gone", "gone/a",
                        "gone/a/deep", "gone/b", "removed.txt", "replaced/sub/old-2", "replaced/old-1"),
                        names(changes.removals()));
                // changed content first, then additions, as the catalog rows ask for it; hard links share one content
                assertEquals(List.of("chmodded.txt", "edited.txt", "replaced/same-name", "added/new.txt",
                        RawName.printable(RAW), "becomes-file", "replaced/sub/fresh"), names(changes.contentToProcess()));
            }
            try (var left = Files.list(tmp.resolve("changes"))) {
                assertEquals(0, left.count(), "change set files left behind");
            }
        }
        assertEquals("new", Files.readString(Materializer.fileOf(spool.upperTree(), LEASE, LEASE.child("added").child("new.txt"))));

        ScannedTree shown = TreeScanner.scan(merged, LEASE);
        mount.unmount(LEASE);
        new UpperFold(spool).fold(LEASE, BASE, Optional.of(NEW));

        assertEquals(attributes(shown), attributes(TreeScanner.scan(spool.lowerTree(LEASE), LEASE)));
        assertEquals("after", Files.readString(spool.lowerTree(LEASE).resolve("edited.txt")));
        assertEquals("raw name", Files.readString(FileSystemNames.resolve(spool.lowerTree(LEASE), RAW)));
        assertEquals(new LowerRecord.Current(NEW, LEASE), new LowerRecord(spool.lowerRecordFile(LEASE)).current().orElseThrow());
        assertFalse(Files.exists(spool.upperTree()));
        assertFalse(OverlayEntries.isOpaque(spool.lowerTree(LEASE).resolve("replaced")), "no overlay marker in the lower tree");
    }

    @Test
    void nothingChangedIsAnEmptyChangeSetAndTheFoldOnlyMovesTheRecord() throws Exception {
        assertEquals("kept", Files.readString(merged.resolve("kept.txt")));
        mount.makeReadOnly(LEASE);
        assertTrue(UpperChanges.compute(spool.upperTree(), spool.lowerTree(LEASE), LEASE, true, tmp.resolve("changes"))
                .isEmpty());
        mount.unmount(LEASE);
        ScannedTree before = TreeScanner.scan(spool.lowerTree(LEASE), LEASE);
        new UpperFold(spool).fold(LEASE, BASE, Optional.of(NEW));
        assertEquals(attributes(before), attributes(TreeScanner.scan(spool.lowerTree(LEASE), LEASE)));
        assertEquals(NEW, new LowerRecord(spool.lowerRecordFile(LEASE)).current().orElseThrow().root());
    }

    @Test
    void aLeasePathNewInTheBaseIsAddedWithEverythingBelow() throws Exception {
        write(merged.resolve("first"), "1");
        mount.makeReadOnly(LEASE);
        ChangeSet changes = UpperChanges.compute(spool.upperTree(), spool.lowerTree(LEASE), LEASE, false,
                tmp.resolve("changes"));
        assertEquals(List.of("", "first"), names(changes.additions()));
    }

    @Test
    void aNewDirectoryMovesWholeUnlessSomethingInItIsAnOverlayMark() throws Exception {
        write(merged.resolve("release/lib/a.so"), "a");
        write(merged.resolve("opaque-inside/sub/b"), "b");
        write(merged.resolve("whiteout-inside/c"), "c");
        mount.unmount(LEASE);
        // marks the overlay itself would not leave in a directory new to the lower tree, planted to
        // show that a fold never carries one down
        Path upper = spool.upperTree();
        Files.getFileAttributeView(upper.resolve("opaque-inside/sub"), UserDefinedFileAttributeView.class)
                .write("overlay.opaque", StandardCharsets.US_ASCII.encode("y"));
        whiteout(upper.resolve("whiteout-inside/gone"));
        Object releaseInode = Files.getAttribute(upper.resolve("release"), "unix:ino");

        new UpperFold(spool).fold(LEASE, BASE, Optional.of(NEW));

        Path lower = spool.lowerTree(LEASE);
        assertEquals(releaseInode, Files.getAttribute(lower.resolve("release"), "unix:ino"), "moved whole");
        assertEquals("a", Files.readString(lower.resolve("release/lib/a.so")));
        assertEquals("b", Files.readString(lower.resolve("opaque-inside/sub/b")));
        assertFalse(OverlayEntries.isOpaque(lower.resolve("opaque-inside/sub")), "no opaque mark in the lower tree");
        assertEquals("c", Files.readString(lower.resolve("whiteout-inside/c")));
        assertFalse(Files.exists(lower.resolve("whiteout-inside/gone"), LinkOption.NOFOLLOW_LINKS), "no whiteout in the lower tree");
    }

    @Test
    void anEmptyLowerTreeTakesTheWholeUpperLayerInOneRename() throws Exception {
        Path lower = unmountedEmptyLowerTree();
        Path upper = spool.upperTree();
        write(upper.resolve("flat-1"), "1");
        write(upper.resolve("sub/deep"), "2");
        Object upperInode = Files.getAttribute(upper, "unix:ino");

        new UpperFold(spool).fold(LEASE, BASE, Optional.of(NEW));

        assertEquals(upperInode, Files.getAttribute(lower, "unix:ino"), "moved whole");
        assertEquals("1", Files.readString(lower.resolve("flat-1")));
        assertEquals("2", Files.readString(lower.resolve("sub/deep")));
        assertEquals(NEW, new LowerRecord(spool.lowerRecordFile(LEASE)).current().orElseThrow().root());
        assertFalse(Files.exists(upper));
    }

    @Test
    void anEmptyLowerTreeNeverTakesAWhiteout() throws Exception {
        Path lower = unmountedEmptyLowerTree();
        Path upper = spool.upperTree();
        write(upper.resolve("kept"), "k");
        whiteout(upper.resolve("gone"));

        new UpperFold(spool).fold(LEASE, BASE, Optional.of(NEW));

        assertEquals(List.of("kept"), listing(lower));
    }

    /** A whiteout as the overlay makes one: a character device 0/0. */
    private static void whiteout(Path file) throws IOException, InterruptedException {
        Process mknod = new ProcessBuilder("mknod", file.toString(), "c", "0", "0").inheritIO().start();
        assertEquals(0, mknod.waitFor(), "mknod of a whiteout");
    }

    /** The overlay unmounted and its lower tree emptied, as for a lease path this host had nothing of. */
    private Path unmountedEmptyLowerTree() throws IOException {
        mount.unmount(LEASE);
        Path lower = spool.lowerTree(LEASE);
        for (String child : listing(lower)) {
            DirectoryTree.delete(lower.resolve(child));
        }
        return lower;
    }

    @Test
    void aFoldCutShortIsNeverResumedAndLeavesTheLowerTreeUnrecorded() throws Exception {
        write(merged.resolve("added.txt"), "x");
        mount.unmount(LEASE);
        new LowerRecord(spool.lowerRecordFile(LEASE)).folding();  // as a fold killed midway leaves it
        new UpperFold(spool).fold(LEASE, BASE, Optional.of(NEW));
        assertTrue(new LowerRecord(spool.lowerRecordFile(LEASE)).current().isEmpty());
        assertFalse(Files.exists(spool.lowerTree(LEASE).resolve("added.txt")), "nothing more is moved");
        assertFalse(Files.exists(spool.upperTree()));
    }

    @Test
    void aFoldWithoutTheNewHeadsRootLeavesTheLowerTreeFoldedButUnrecorded() throws Exception {
        write(merged.resolve("added.txt"), "x");
        mount.unmount(LEASE);
        new UpperFold(spool).fold(LEASE, BASE, Optional.empty());
        assertEquals("x", Files.readString(spool.lowerTree(LEASE).resolve("added.txt")));
        assertTrue(new LowerRecord(spool.lowerRecordFile(LEASE)).current().isEmpty());
    }

    @Test
    void abortingEmptiesTheUpperLayerAndKeepsTheLowerTree() throws Exception {
        write(merged.resolve("added.txt"), "x");
        mount.unmount(LEASE);
        new LowerTree(null, spool, tmp.resolve("catalogs")).freshUpper(LEASE);
        assertEquals(List.of(), listing(spool.upperTree()));
        assertEquals(BASE, new LowerRecord(spool.lowerRecordFile(LEASE)).current().orElseThrow().root());
    }

    private static List<String> listing(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).toList();
        }
    }

    /** What the catalogs would hold of each entry: no inode, no ctime, no link count. */
    private static Map<String, List<Object>> attributes(ScannedTree tree) {
        Map<String, List<Object>> m = new TreeMap<>();
        tree.entries().forEach((p, e) -> m.put(relative(p), List.of(e.mode(), e.uid(), e.gid(),
                e.isDirectory() ? 0L : e.size(), e.isSymlink() ? 0L : e.mtimeNanos(), e.symlinkTarget())));
        return m;
    }

    private static List<String> names(EntryLog<ScannedEntry> entries) {
        return names(entries.stream());
    }

    private static List<String> names(java.util.stream.Stream<ScannedEntry> entries) {
        return entries.map(e -> relative(e.path())).toList();
    }

    private static String relative(RepositoryPath p) {
        return p.equals(LEASE) ? "" : RawName.printable(p.toString().substring(LEASE.toString().length() + 1));
    }

    private static void write(Path file, String content) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        assertTrue(Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS));
    }
}
