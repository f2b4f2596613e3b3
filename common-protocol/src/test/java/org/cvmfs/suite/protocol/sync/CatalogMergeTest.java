package org.cvmfs.suite.protocol.sync;

import static org.cvmfs.suite.protocol.catalog.TestRepository.dir;
import static org.cvmfs.suite.protocol.catalog.TestRepository.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogException;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.CatalogTestAccess;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.NestedCatalogRef;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.TestRepository;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Publishers edit their own copy of the head; the merge must carry exactly their changes onto the gateway head. */
class CatalogMergeTest {
    @TempDir
    Path dir;
    TestRepository repo;
    ContentHash base;

    @BeforeEach
    void setUp() {
        repo = new TestRepository(dir);
        repo.edit(m -> {
            for (String top : List.of("a", "b", "x")) {
                m.addDirectory(p("/" + top), dir(top));
                m.addFile(p("/" + top + "/f"), repo.file("f", top).build(), List.of());
            }
            m.addDirectory(p("/x/plain"), dir("plain"));
            m.addFile(p("/x/plain/in"), repo.file("in", "in").build(), List.of());
            m.addDirectory(p("/x/nest"), dir("nest"));
            m.addFile(p("/x/nest/g"), repo.file("g", "g").build(), List.of());
            m.addDirectory(p("/x/nest2"), dir("nest2"));
            m.addFile(p("/x/nest2/h"), repo.file("h", "h").build(), List.of());
            m.addDirectory(p("/x/todo"), dir("todo"));
            m.addDirectory(p("/x/todo/sub"), dir("sub"));
            m.addFile(p("/x/todo/sub/k"), repo.file("k", "k").build(), List.of());
            m.addSymlink(p("/x/link"), DirectoryEntry.symlink("link", "f").build());
            m.addDirectory(p("/c"), dir("c"));
            m.addFile(p("/c/z"), repo.file("z", "z").build(), List.of());
            m.createNestedCatalog(p("/c"));
            m.createNestedCatalog(p("/x/nest"));
            m.createNestedCatalog(p("/x/nest2"));
            m.createNestedCatalog(p("/x/todo/sub"));
        });
        base = repo.head;
    }

    /** What a publisher uploads: its own commit on top of {@code from}. */
    private ContentHash publish(ContentHash from, Consumer<WritableCatalogManager> edits) {
        try (WritableCatalogManager m = WritableCatalogManager.open(repo.source, from, repo.tmp)) {
            edits.accept(m);
            return m.commit(repo.store, HashAlgorithm.SHA1, Clock.fixed(Instant.ofEpochSecond(1_900_000_000L), ZoneOffset.UTC))
                    .rootHash();
        }
    }

    /** The receiver: diff publisher base vs upload inside the lease, merged onto the gateway head. */
    private CatalogCommit receive(ContentHash publisherBase, ContentHash upload, RepositoryPath lease, ContentHash head) {
        try (CatalogHierarchy before = CatalogHierarchy.open(repo.source, publisherBase, repo.tmp);
             CatalogHierarchy after = CatalogHierarchy.open(repo.source, upload, repo.tmp);
             WritableCatalogManager target = WritableCatalogManager.open(repo.source, head, repo.tmp)) {
            CatalogDiff.run(before, after, lease, new CatalogMerge(target));
            CatalogCommit c = target.commit(repo.store, HashAlgorithm.SHA1, Clock.systemUTC());
            repo.head = c.rootHash();
            repo.headSize = c.rootSize();
            assertEquals(List.of(), repo.verify());
            return c;
        }
    }

    private Map<String, Map<String, Object>> namespace(ContentHash root) {
        try (CatalogHierarchy tree = CatalogHierarchy.open(repo.source, root, repo.tmp)) {
            return CatalogTestAccess.facts(tree);
        }
    }

    /**
     * Every entry with all its fields (mtime, linkcount, flags...) and the root prefix of the catalog
     * that holds it: stricter than {@link #namespace}, which a merge with lost attributes would pass.
     */
    private Map<String, String> entries(ContentHash root) {
        try (CatalogHierarchy tree = CatalogHierarchy.open(repo.source, root, repo.tmp)) {
            Map<String, String> out = new TreeMap<>();
            collect(tree, RepositoryPath.ROOT, out);
            return out;
        }
    }

    private static void collect(CatalogHierarchy tree, RepositoryPath dir, Map<String, String> out) {
        for (DirectoryEntry e : tree.listing(dir)) {
            RepositoryPath path = dir.child(e.name());
            out.put(path.value(), e + " chunks=" + tree.chunks(path) + " in '" + tree.catalogFor(path).rootPrefix() + "'");
            if (e.isDirectory()) {
                collect(tree, path, out);
            }
        }
    }

    /** The diff as "TYPE path" lines, in the order the merge receives them. */
    private List<String> diff(ContentHash from, ContentHash to, RepositoryPath lease) {
        try (CatalogHierarchy before = CatalogHierarchy.open(repo.source, from, repo.tmp);
             CatalogHierarchy after = CatalogHierarchy.open(repo.source, to, repo.tmp)) {
            return CatalogDiff.changes(before, after, lease).stream().map(c -> c.type() + " " + c.path().value()).toList();
        }
    }

    private Optional<NestedCatalogRef> nestedRef(ContentHash root, RepositoryPath mountpoint) {
        try (CatalogHierarchy tree = CatalogHierarchy.open(repo.source, root, repo.tmp)) {
            return tree.nestedCatalog(mountpoint);
        }
    }

    @Test
    void disjointLeasesFromTheSameBaseBothLand() {
        ContentHash p1 = publish(base, m -> m.addFile(p("/a/new"), repo.file("new", "from 1").build(), List.of()));
        ContentHash p2 = publish(base, m -> {
            m.remove(p("/b/f"));
            m.addFile(p("/b/other"), repo.file("other", "from 2").build(), List.of());
        });
        receive(base, p1, p("/a"), base);
        receive(base, p2, p("/b"), repo.head);
        ContentHash both = publish(base, m -> {
            m.addFile(p("/a/new"), repo.file("new", "from 1").build(), List.of());
            m.remove(p("/b/f"));
            m.addFile(p("/b/other"), repo.file("other", "from 2").build(), List.of());
        });
        assertEquals(namespace(both), namespace(repo.head));
    }

    @Test
    void changesOutsideTheLeaseAreIgnored() {
        ContentHash upload = publish(base, m -> {
            m.addFile(p("/a/inside"), repo.file("inside", "1").build(), List.of());
            m.addFile(p("/b/outside"), repo.file("outside", "2").build(), List.of());
        });
        receive(base, upload, p("/a"), base);
        Map<String, Map<String, Object>> ns = namespace(repo.head);
        assertTrue(ns.containsKey("/a/inside"));
        assertTrue(!ns.containsKey("/b/outside"));
    }

    @Test
    void structuralChangesInsideTheLease() {
        ContentHash upload = publish(base, m -> {
            m.createNestedCatalog(p("/x/plain"));                  // plain -> mountpoint
            m.removeNestedCatalog(p("/x/nest"));                   // mountpoint -> plain
            m.addFile(p("/x/nest2/h2"), repo.file("h2", "h2").build(), List.of()); // nested rewritten: swap
            m.remove(p("/x/f"));                                   // file -> directory
            m.addDirectory(p("/x/f"), dir("f"));
            m.addFile(p("/x/f/inner"), repo.file("inner", "i").build(), List.of());
            m.replaceFile(p("/x/todo"), repo.file("todo", "was a tree").build(), List.of()); // dir with nested -> file
            List<Chunk> chunks = repo.chunks("12345", "678");
            m.replaceFile(p("/x/link"), repo.chunkedFile("link", chunks).build(), chunks);   // symlink -> chunked
            m.addDirectory(p("/x/newnest"), dir("newnest"));       // added mountpoint
            m.addFile(p("/x/newnest/q"), repo.file("q", "q").build(), List.of());
            m.createNestedCatalog(p("/x/newnest"));
            m.addFile(p("/x/.hidden-not"), repo.file(".hidden-not", "v").build(), List.of());
        });
        receive(base, upload, p("/x"), base);
        assertEquals(namespace(upload), namespace(repo.head));
        assertEquals(entries(upload), entries(repo.head));
    }

    @Test
    void removedNestedCatalogAndRemovedTree() {
        ContentHash upload = publish(base, m -> {
            m.remove(p("/x/nest"));
            m.remove(p("/x/todo"));
        });
        receive(base, upload, p("/x"), base);
        assertEquals(namespace(upload), namespace(repo.head));
    }

    @Test
    void headMovedOnSinceThePublisherStarted() {
        ContentHash other = publish(base, m -> m.addFile(p("/c/extra"), repo.file("extra", "e").build(), List.of()));
        receive(base, other, p("/c"), base);
        ContentHash head = repo.head;
        ContentHash upload = publish(base, m -> m.addFile(p("/x/nest2/late"), repo.file("late", "l").build(), List.of()));
        CatalogCommit c = receive(base, upload, p("/x"), head);
        Map<String, Map<String, Object>> ns = namespace(c.rootHash());
        assertTrue(ns.containsKey("/c/extra"), "the other publisher's change survives");
        assertTrue(ns.containsKey("/x/nest2/late"));
        assertNotEquals(head, c.rootHash());
    }

    @Test
    void hardLinksAreSplitAndHardLinkedRemovalsRefused() {
        ContentHash upload = publish(base, m -> {
            DirectoryEntry a = repo.file("l1", "same").hardlinkGroup(1).linkcount(2).build();
            m.addFile(p("/x/l1"), a, List.of());
            m.addFile(p("/x/l2"), a.toBuilder().name("l2").build(), List.of());
        });
        receive(base, upload, p("/x"), base);
        try (CatalogHierarchy tree = CatalogHierarchy.open(repo.source, repo.head, repo.tmp)) {
            DirectoryEntry l1 = tree.lookup(p("/x/l1")).orElseThrow();
            assertEquals(1, l1.linkcount());
            assertEquals(0, l1.hardlinkGroup());
        }
        ContentHash removal = publish(upload, m -> m.remove(p("/x/l1")));
        try (CatalogHierarchy before = CatalogHierarchy.open(repo.source, upload, repo.tmp);
             CatalogHierarchy after = CatalogHierarchy.open(repo.source, removal, repo.tmp);
             WritableCatalogManager target = WritableCatalogManager.open(repo.source, repo.head, repo.tmp)) {
            CatalogException e = assertThrows(CatalogException.class,
                    () -> CatalogDiff.run(before, after, p("/x"), new CatalogMerge(target)));
            assertTrue(e.getMessage().contains("linkcount 2"), e.getMessage());
        }
    }

    @Test
    void hiddenEntriesAreNotCompared() {
        ContentHash upload = publish(base, m -> {
            m.addDirectory(p("/x/h"), DirectoryEntry.directory("h", 0755).hidden(true).build());
        });
        try (CatalogHierarchy before = CatalogHierarchy.open(repo.source, base, repo.tmp);
             CatalogHierarchy after = CatalogHierarchy.open(repo.source, upload, repo.tmp)) {
            List<CatalogChange> changes = CatalogDiff.changes(before, after, p("/x"));
            assertTrue(changes.stream().noneMatch(c -> c.path().equals(p("/x/h"))), changes.toString());
        }
    }

    // ---- the diff: exactly which changes, in which order ----

    @Test
    void aRemovedTreeIsReportedChildrenFirstAndARemovedNestedCatalogAsOneChange() {
        ContentHash upload = publish(base, m -> {
            m.remove(p("/x/plain"));
            m.remove(p("/x/nest"));
        });
        assertEquals(List.of("MODIFICATION /x", "REMOVAL /x/nest", "REMOVAL /x/plain/in", "REMOVAL /x/plain"),
                diff(base, upload, p("/x")));
        // the lease's ancestors are walked, not reported
        assertEquals(List.of("REMOVAL /x/plain/in", "REMOVAL /x/plain"), diff(base, upload, p("/x/plain")));
    }

    @Test
    void unchangedDirectoriesAndNestedCatalogsAreNotReported() {
        ContentHash upload = publish(base, m -> m.addFile(p("/x/plain/new"), repo.file("new", "n").build(), List.of()));
        assertEquals(List.of("ADDITION /x/plain/new"), diff(base, upload, RepositoryPath.ROOT));
    }

    @Test
    void aRewrittenNestedCatalogIsSwappedWhole() {
        ContentHash upload = publish(base, m -> m.addFile(p("/x/nest2/h2"), repo.file("h2", "h2").build(), List.of()));
        assertEquals(List.of("MODIFICATION /x/nest2"), diff(base, upload, p("/x")));
        ContentHash rewritten = nestedRef(upload, p("/x/nest2")).orElseThrow().hash();
        assertNotEquals(nestedRef(base, p("/x/nest2")).orElseThrow().hash(), rewritten);
        receive(base, upload, p("/x"), base);
        assertEquals(rewritten, nestedRef(repo.head, p("/x/nest2")).orElseThrow().hash(),
                "the head mounts the publisher's catalog object itself");

        // a nested root whose own attributes changed too: still one change, nothing below it
        ContentHash again = publish(upload, m -> {
            m.setAttributes(p("/x/nest2"), dir("nest2").toBuilder().mode(040700).build());
            m.addFile(p("/x/nest2/h3"), repo.file("h3", "h3").build(), List.of());
        });
        assertEquals(List.of("MODIFICATION /x/nest2"), diff(upload, again, p("/x")));
    }

    @Test
    void aChangeNeedsEntriesThatFitItsType() {
        DirectoryEntry e = dir("d");
        RepositoryPath d = p("/d");
        assertThrows(IllegalArgumentException.class, () -> new CatalogChange(null, d, null, e, List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> new CatalogChange(CatalogChange.Type.ADDITION, null, null, e, List.of(), null));
        assertEquals("ADDITION of /d with entries before=true after=true", assertThrows(IllegalArgumentException.class,
                () -> new CatalogChange(CatalogChange.Type.ADDITION, d, e, e, List.of(), null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CatalogChange(CatalogChange.Type.ADDITION, d, null, null, List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> new CatalogChange(CatalogChange.Type.REMOVAL, d, e, e, List.of(), null));
        assertEquals("REMOVAL of /d with entries before=false after=false", assertThrows(IllegalArgumentException.class,
                () -> new CatalogChange(CatalogChange.Type.REMOVAL, d, null, null, List.of(), null)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new CatalogChange(CatalogChange.Type.MODIFICATION, d, null, e, List.of(), null));
        assertThrows(IllegalArgumentException.class, () -> new CatalogChange(CatalogChange.Type.MODIFICATION, d, e, null, List.of(), null));
        assertEquals(CatalogChange.Type.MODIFICATION, new CatalogChange(CatalogChange.Type.MODIFICATION, d, e, e, List.of(), null).type());
    }

    // ---- the merge: every field lands, conflicts are refused ----

    @Test
    void attributesAndThePublishersOwnMarkerLand() {
        ContentHash upload = publish(base, m -> {
            m.setAttributes(p("/a"), DirectoryEntry.directory("a", 0700).mtime(TestRepository.T0 + 5).uid(7).build());
            m.addFile(p("/b/.cvmfscatalog"), repo.file(".cvmfscatalog", "the publisher's marker").mtime(TestRepository.T0 + 9).build(),
                    List.of());
        });
        receive(base, upload, RepositoryPath.ROOT, base);
        assertEquals(entries(upload), entries(repo.head));
    }

    /** Events as the merge may get them: each is applied whole, whatever else the diff reports around it. */
    @Test
    void eachChangeShapesTheCatalogsOnItsOwn() {
        try (CatalogHierarchy old = CatalogHierarchy.open(repo.source, base, repo.tmp);
             WritableCatalogManager target = WritableCatalogManager.open(repo.source, base, repo.tmp)) {
            CatalogMerge merge = new CatalogMerge(target);
            DirectoryEntry plain = old.listing(p("/x")).stream().filter(e -> e.name().equals("plain")).findFirst().orElseThrow();
            DirectoryEntry nest = old.listing(p("/x")).stream().filter(e -> e.name().equals("nest")).findFirst().orElseThrow();
            assertTrue(nest.nestedMountpoint());

            merge.accept(CatalogChange.addition(p("/x/m"), dir("m").toBuilder().nestedMountpoint(true).build(), List.of(), null));
            assertTrue(target.isNestedCatalogMountpoint(p("/x/m")));
            merge.accept(CatalogChange.modification(p("/x/plain"), plain, plain.toBuilder().nestedMountpoint(true).build(),
                    List.of(), null));
            assertTrue(target.isNestedCatalogMountpoint(p("/x/plain")));
            merge.accept(CatalogChange.modification(p("/x/nest"), nest, nest.toBuilder().nestedMountpoint(false).build(),
                    List.of(), null));
            assertFalse(target.isNestedCatalogMountpoint(p("/x/nest")));
            assertEquals("g", target.lookup(p("/x/nest/g")).orElseThrow().name());
            assertTrue(target.lookup(p("/x/nest/.cvmfscatalog")).isEmpty(), "the marker went with the catalog");

            // every trace of a hard link is dropped, however it is encoded
            merge.accept(CatalogChange.addition(p("/a/h1"), repo.file("h1", "1").linkcount(3).build(), List.of(), null));
            merge.accept(CatalogChange.addition(p("/a/h2"), repo.file("h2", "2").hardlinkGroup(7).build(), List.of(), null));
            for (String name : List.of("/a/h1", "/a/h2")) {
                DirectoryEntry e = target.lookup(p(name)).orElseThrow();
                assertEquals(List.of(1, 0L), List.of(e.linkcount(), e.hardlinkGroup()), name);
            }
        }
    }

    @Test
    void changesThatCollideWithTheMovedOnHeadAreRefusedOrLandAsWritten() {
        ContentHash other = publish(base, m -> {
            m.addFile(p("/x/nest/dup"), repo.file("dup", "theirs").build(), List.of());
            m.remove(p("/a/f"));
        });
        receive(base, other, RepositoryPath.ROOT, base);
        ContentHash head = repo.head;

        // (a lease on /x/nest would swap the whole catalog; a lease on the file itself merges the one entry)
        ContentHash addsTheSame = publish(base, m -> m.addFile(p("/x/nest/dup"), repo.file("dup", "mine").build(), List.of()));
        CatalogException exists = assertThrows(CatalogException.class, () -> receive(base, addsTheSame, p("/x/nest/dup"), head));
        assertTrue(exists.getMessage().contains("/x/nest/dup exists already"), exists.getMessage());

        ContentHash removesTheGone = publish(base, m -> m.remove(p("/a/f")));
        CatalogException gone = assertThrows(CatalogException.class, () -> receive(base, removesTheGone, p("/a"), head));
        assertTrue(gone.getMessage().contains("/a/f does not exist"), gone.getMessage());

        // a rewrite of a file the head no longer has puts the publisher's version there
        DirectoryEntry mine = repo.file("f", "rewritten").build();
        ContentHash rewritesTheGone = publish(base, m -> m.replaceFile(p("/a/f"), mine, List.of()));
        receive(base, rewritesTheGone, p("/a"), head);
        try (CatalogHierarchy tree = CatalogHierarchy.open(repo.source, repo.head, repo.tmp)) {
            assertEquals(mine, tree.lookup(p("/a/f")).orElseThrow());
        }
    }

    @Test
    void hardLinkedFilesAreNotRewrittenOrReplacedByADirectory() {
        ContentHash upload = publish(base, m -> {
            DirectoryEntry a = repo.file("l1", "same").hardlinkGroup(1).linkcount(2).build();
            m.addFile(p("/x/l1"), a, List.of());
            m.addFile(p("/x/l2"), a.toBuilder().name("l2").build(), List.of());
        });
        receive(base, upload, p("/x"), base);
        ContentHash head = repo.head;
        ContentHash rewrite = publish(upload, m -> m.replaceFile(p("/x/l1"), repo.file("l1", "other").build(), List.of()));
        ContentHash toDirectory = publish(upload, m -> {
            m.remove(p("/x/l2"));
            m.addDirectory(p("/x/l2"), dir("l2"));
        });
        for (ContentHash publication : List.of(rewrite, toDirectory)) {
            CatalogException e = assertThrows(CatalogException.class, () -> receive(upload, publication, p("/x"), head));
            assertTrue(e.getMessage().contains("linkcount 2"), e.getMessage());
        }
    }
}
