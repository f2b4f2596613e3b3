package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.TestRepository;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MaterializerTest {
    private static final RepositoryPath SW = RepositoryPath.of("/sw");

    @TempDir
    Path tmp;
    final List<String> warnings = new ArrayList<>();

    @Test
    void gatewayPublicationAMaterialisesExactlyThePublishersTree() throws Exception {
        Path work = tmp.resolve("work");
        Materializer.Result r = materialize("after-a", SW, work, TreeSnapshot.empty(SW));
        assertEquals(publisherTree("publisher-tree-a.txt"), describe(work, "sw"));
        assertEquals(11, r.filesWritten());
        assertEquals(6291456, Files.size(work.resolve("big/big.txt")));
        assertTrue(ChangeSet.compute(r.snapshot(), TreeScanner.scan(work, SW)).isEmpty());
        assertEquals(List.of(), warnings);
    }

    @Test
    void secondTransactionOnlyWritesWhatChanged() throws Exception {
        Path work = tmp.resolve("work");
        Materializer.Result a = materialize("after-a", SW, work, TreeSnapshot.empty(SW));
        Path big = work.resolve("big/big.txt");
        Object bigInode = Files.getAttribute(big, "unix:ino");

        Materializer.Result b = materialize("after-b", SW, work, a.snapshot());

        assertEquals(publisherTree("publisher-tree-b.txt"), describe(work, "sw"));
        assertEquals(2, b.filesWritten(), "version.txt and added.txt");
        assertEquals(6, b.filesKept());
        assertEquals(bigInode, Files.getAttribute(big, "unix:ino"));
        assertTrue(ChangeSet.compute(b.snapshot(), TreeScanner.scan(work, SW)).isEmpty());
    }

    @Test
    void editedFilesAreRestoredAndStrayFilesRemoved() throws Exception {
        Path work = tmp.resolve("work");
        Materializer.Result a = materialize("after-a", SW, work, TreeSnapshot.empty(SW));
        Files.writeString(work.resolve("README.txt"), "scribbled over by an aborted transaction");
        Files.writeString(work.resolve("stray.txt"), "left behind");
        Files.createDirectories(work.resolve("docs/junk/deeper"));

        Materializer.Result again = materialize("after-a", SW, work, a.snapshot());

        assertEquals(publisherTree("publisher-tree-a.txt"), describe(work, "sw"));
        assertEquals(1, again.filesWritten());
    }

    /**
     * What a fold cut short leaves ({@link UpperFold}): a file renamed over one the snapshot
     * knows, with the same size and mtime. Its inode and ctime differ, so it is not trusted.
     */
    @Test
    void aFileRenamedOverAKnownOneIsNotTrusted() throws Exception {
        Path work = tmp.resolve("work");
        Materializer.Result a = materialize("after-a", SW, work, TreeSnapshot.empty(SW));
        Path readme = work.resolve("README.txt");
        byte[] original = Files.readAllBytes(readme);
        Path upper = tmp.resolve("upper-readme");
        Files.write(upper, new byte[original.length]);
        Files.setLastModifiedTime(upper, Files.getLastModifiedTime(readme));
        Files.move(upper, readme, java.nio.file.StandardCopyOption.ATOMIC_MOVE);

        Materializer.Result again = materialize("after-a", SW, work, a.snapshot());

        assertArrayEquals(original, Files.readAllBytes(readme));
        assertEquals(1, again.filesWritten());
    }

    /**
     * A file kept in place (same content) whose catalog entry changed its mode and mtime gets
     * them; one whose entry did not change is left alone (its change time stays).
     */
    @Test
    void aKeptFileTakesTheAttributesOfItsNewEntry() throws Exception {
        TestRepository repo = new TestRepository(Files.createDirectories(tmp.resolve("ours")));
        repo.edit(m -> {
            m.addDirectory(SW, TestRepository.dir("sw"));
            m.addFile(SW.child("a"), repo.file("a", "alpha\n").build(), List.of());
            m.addFile(SW.child("b"), repo.file("b", "beta\n").build(), List.of());
        });
        ObjectCache cache = new ObjectCache(repo.source, new ObjectStore(tmp.resolve("cache")));
        Path work = tmp.resolve("work");
        Materializer.Result first = materialize(cache, repo.head, work, TreeSnapshot.empty(SW));
        Object bChanged = Files.getAttribute(work.resolve("b"), "unix:ctime", LinkOption.NOFOLLOW_LINKS);
        repo.edit(m -> m.setAttributes(SW.child("a"),
                m.lookup(SW.child("a")).orElseThrow().toBuilder().mode(0100600).mtime(1_234_567_890L).build()));

        Materializer.Result second = materialize(cache, repo.head, work, first.snapshot());

        assertEquals(0, second.filesWritten());
        assertEquals(2, second.filesKept());
        assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(work.resolve("a"), LinkOption.NOFOLLOW_LINKS)));
        assertEquals(1_234_567_890_000L, Files.getLastModifiedTime(work.resolve("a")).toMillis());
        assertEquals(bChanged, Files.getAttribute(work.resolve("b"), "unix:ctime", LinkOption.NOFOLLOW_LINKS));
        assertTrue(ChangeSet.compute(second.snapshot(), TreeScanner.scan(work, SW)).isEmpty());
    }

    @Test
    void wholeUpstreamRepositoryWithNestedCatalogChunksAndHardLinks() throws Exception {
        Path work = tmp.resolve("work");
        Path served = Fixtures.upstreamTestLocal().resolve("served");
        Materializer.Result r = materialize(served, RepositoryPath.ROOT, work, TreeSnapshot.empty(RepositoryPath.ROOT));
        assertEquals("New CernVM-FS repository for test.local\n", Files.readString(work.resolve("new_repository")));
        assertEquals(9437196, Files.size(work.resolve("big.dat")));
        assertEquals("README.txt", Files.readSymbolicLink(work.resolve("link-to-readme")).toString());
        assertTrue(Files.isRegularFile(work.resolve("nested/.cvmfscatalog")));
        assertTrue(Files.isRegularFile(work.resolve("nested/deeper/c.txt")));
        assertEquals(Files.readString(work.resolve("dir/hl1")), Files.readString(work.resolve("dir/hl2")));
        assertEquals(1, (int) Files.getAttribute(work.resolve("dir/hl1"), "unix:nlink"));
        assertEquals(0755, Files.getAttribute(work.resolve("exec.sh"), "unix:mode", LinkOption.NOFOLLOW_LINKS) instanceof Integer m ? m & 0777 : -1);
        assertEquals(1795581049L, Files.getLastModifiedTime(work.resolve("dir")).toMillis() / 1000);
        assertTrue(ChangeSet.compute(r.snapshot(), TreeScanner.scan(work, RepositoryPath.ROOT)).isEmpty());
    }

    @Test
    void leasePathThatDoesNotExistYetGivesAnEmptyDirectory() throws Exception {
        Path work = tmp.resolve("work");
        Files.createDirectories(work.resolve("old"));
        RepositoryPath fresh = RepositoryPath.of("/sw/brand-new");
        Materializer.Result r = materialize("after-a", fresh, work, TreeSnapshot.empty(fresh));
        try (var list = Files.list(work)) {
            assertEquals(0, list.count());
        }
        Files.writeString(work.resolve("f"), "x");
        ChangeSet c = ChangeSet.compute(r.snapshot(), TreeScanner.scan(work, fresh));
        assertEquals(List.of(fresh, fresh.child("f")), c.additions().stream().map(ScannedEntry::path).toList());
    }

    @Test
    void damagedCachedObjectIsFetchedAgain() throws Exception {
        Path served = Fixtures.gatewayPublication().resolve("after-a");
        ObjectStore cacheStore = new ObjectStore(tmp.resolve("cache"));
        ObjectCache cache = new ObjectCache(new LocalRepositorySource(served), cacheStore);
        ContentHash readme = ContentHash.parse("9fc467a9fe2736cc344df7bf3c1bfad32dfda576", org.cvmfs.suite.protocol.hash.ObjectSuffix.NONE);
        byte[] good = cache.fetchObject(readme);
        assertTrue(cache.isCached(readme));
        Files.write(cacheStore.pathOf(readme), new byte[] {1, 2, 3});
        assertEquals(HexFormat.of().formatHex(good), HexFormat.of().formatHex(cache.fetchObject(readme)));
        assertEquals(HexFormat.of().formatHex(good), HexFormat.of().formatHex(Files.readAllBytes(cacheStore.pathOf(readme))));
    }

    private Materializer.Result materialize(String state, RepositoryPath lease, Path work, TreeSnapshot previous) {
        return materialize(Fixtures.gatewayPublication().resolve(state), lease, work, previous);
    }

    private Materializer.Result materialize(ObjectCache cache, ContentHash root, Path work, TreeSnapshot previous) {
        try (CatalogHierarchy catalogs = CatalogHierarchy.open(cache, root, tmp.resolve("catalogs"))) {
            return new Materializer(cache, 2, warnings::add).materialize(catalogs, SW, work, previous, tmp.resolve("probe"));
        }
    }

    private Materializer.Result materialize(Path served, RepositoryPath lease, Path work, TreeSnapshot previous) {
        LocalRepositorySource source = new LocalRepositorySource(served);
        Manifest manifest = Manifest.parseBody(source.fetchRootFile(".cvmfspublished"));
        ObjectCache cache = new ObjectCache(source, new ObjectStore(tmp.resolve("cache")));
        try (CatalogHierarchy catalogs = CatalogHierarchy.open(cache, manifest.rootCatalog(), tmp.resolve("catalogs"))) {
            return new Materializer(cache, 4, warnings::add).materialize(catalogs, lease, work, previous, tmp.resolve("probe"));
        }
    }

    /** The fixture's listing: "type mode size md5 path [-> target]", comments dropped. */
    private static List<String> publisherTree(String name) throws Exception {
        return Files.readAllLines(Fixtures.gatewayPublication().resolve(name)).stream()
                .filter(l -> !l.startsWith("#") && !l.isBlank()).sorted().toList();
    }

    private static List<String> describe(Path work, String prefix) throws Exception {
        List<String> out = new ArrayList<>();
        try (var all = Files.walk(work)) {
            for (Path p : all.toList()) {
                String rel = work.relativize(p).toString();
                String path = rel.isEmpty() ? prefix : prefix + "/" + rel;
                int mode = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 07777;
                if (Files.isSymbolicLink(p)) {
                    out.add(String.format("l %04o %d - %s -> %s", mode, Files.readSymbolicLink(p).toString().length(),
                            path, Files.readSymbolicLink(p)));
                } else if (Files.isDirectory(p)) {
                    out.add(String.format("d %04o - - %s", mode, path));
                } else {
                    byte[] md5 = MessageDigest.getInstance("MD5").digest(Files.readAllBytes(p));
                    out.add(String.format("f %04o %d %s %s", mode, Files.size(p), HexFormat.of().formatHex(md5), path));
                }
            }
        }
        return out.stream().sorted().toList();
    }

}
