package org.cvmfs.suite.protocol.sync;

import static org.cvmfs.suite.protocol.catalog.TestRepository.dir;
import static org.cvmfs.suite.protocol.catalog.TestRepository.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogException;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.CatalogTestAccess;
import org.cvmfs.suite.protocol.catalog.Chunk;
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
}
