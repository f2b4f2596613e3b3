package org.cvmfs.suite.protocol.catalog;

import static org.cvmfs.suite.protocol.catalog.TestRepository.dir;
import static org.cvmfs.suite.protocol.catalog.TestRepository.p;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import java.util.Map;
import org.cvmfs.suite.protocol.catalog.CatalogCounters.Field;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.junit.jupiter.api.BeforeEach;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.CatalogBytes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Edit scenarios, each committed and then passed through the verifier (which recounts every counter). */
class WritableCatalogManagerTest {
    @TempDir
    Path dir;
    TestRepository repo;

    private static final Clock FIXED = Clock.fixed(Instant.ofEpochSecond(1_900_000_000L), ZoneOffset.UTC);

    @BeforeEach
    void setUp() {
        repo = new TestRepository(dir);
    }

    /** /sw with files, a symlink, a chunked file, xattrs and two levels of directories. */
    private void populate() {
        repo.edit(m -> {
            m.addDirectory(p("/sw"), dir("sw"));
            m.addFile(p("/sw/README"), repo.file("README", "read me\n").build(), List.of());
            m.addDirectory(p("/sw/bin"), dir("bin"));
            m.addFile(p("/sw/bin/run.sh"), repo.file("run.sh", "#!/bin/sh\n").mode(0100755).build(), List.of());
            m.addSymlink(p("/sw/bin/start"), DirectoryEntry.symlink("start", "run.sh").build());
            m.addDirectory(p("/sw/lib"), dir("lib"));
            m.addDirectory(p("/sw/lib/deep"), dir("deep"));
            List<Chunk> chunks = repo.chunks("first piece ", "second piece");
            m.addFile(p("/sw/lib/deep/big"), repo.chunkedFile("big", chunks).build(), chunks);
            XattrList caps = XattrList.of(Map.of("security.capability", new byte[] {1, 2, 3}));
            m.addFile(p("/sw/lib/cap"), repo.file("cap", "x").xattrs(caps).build(), List.of());
        });
    }

    @Test
    void catalogsOpenBesideAreCopiedNotFetchedAgain() {
        populate();
        repo.edit(m -> m.createNestedCatalog(p("/sw/lib")));
        ContentHash before = repo.head;
        CatalogCommit plain;
        try (WritableCatalogManager m = WritableCatalogManager.open(repo.source, before, repo.tmp)) {
            m.remove(p("/sw/lib/cap"));
            plain = m.commit(repo.store, HashAlgorithm.SHA1, FIXED);
        }
        try (CatalogHierarchy staged = repo.read()) {
            staged.listing(p("/sw/lib"));
            int fetched = repo.source.fetched.size();
            CatalogCommit beside;
            try (WritableCatalogManager m = WritableCatalogManager.openBeside(staged, repo.source, before, repo.tmp)) {
                m.remove(p("/sw/lib/cap"));
                beside = m.commit(repo.store, HashAlgorithm.SHA1, FIXED);
            }
            assertEquals(fetched, repo.source.fetched.size(), "root and nested catalog copied from the open hierarchy");
            assertEquals(plain, beside);
        }
    }

    @Test
    void addsEntriesWithLinkcountsAndCounters() {
        CatalogCommit c = repo.edit(m -> { });
        assertEquals(1, c.revision());
        populate();
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(3, h.lookup(RepositoryPath.ROOT).orElseThrow().linkcount());
            assertEquals(4, h.lookup(p("/sw")).orElseThrow().linkcount());
            assertEquals(3, h.lookup(p("/sw/lib")).orElseThrow().linkcount());
            assertEquals("run.sh", h.lookup(p("/sw/bin/start")).orElseThrow().symlink());
            assertEquals(0755, h.lookup(p("/sw/bin/run.sh")).orElseThrow().permissions());
            assertEquals(2, h.chunks(p("/sw/lib/deep/big")).size());
            assertEquals(68, h.lookup(p("/sw/lib/deep/big")).orElseThrow().flags().value());
            assertEquals(1, h.lookup(p("/sw/lib/cap")).orElseThrow().xattrs().size());
            Catalog root = h.rootCatalog();
            assertEquals(2, root.revision());
            CatalogCounters n = root.counters();
            assertEquals(5, n.self(Field.DIR));
            assertEquals(4, n.self(Field.REGULAR));
            assertEquals(1, n.self(Field.SYMLINK));
            assertEquals(1, n.self(Field.CHUNKED));
            assertEquals(2, n.self(Field.CHUNKS));
            assertEquals(1, n.self(Field.XATTR));
            assertEquals(24 + 8 + 10 + 1, n.self(Field.FILE_SIZE));
        }
    }

    @Test
    void holdsAsksTheParentsCatalog() {
        populate();
        repo.edit(m -> m.createNestedCatalog(p("/sw/lib")));
        repo.edit(m -> {
            assertTrue(m.holds(RepositoryPath.ROOT));
            assertTrue(m.holds(p("/sw")));
            assertTrue(m.holds(p("/sw/lib")));
            assertTrue(m.holds(p("/sw/lib/deep/big")));
            assertFalse(m.holds(p("/sw/none")));
            assertFalse(m.holds(p("/sw/lib/none")));
        });
    }

    @Test
    void catalogsAreStoredAtTheCatalogLevel() {
        populate();
        CatalogCommit c = repo.edit(m -> m.createNestedCatalog(p("/sw/lib")));
        for (ContentHash catalog : c.catalogs()) {
            byte[] stored = repo.store.readStored(catalog);
            // zlib's header names the level class: 0x01 for level 1, 0x9c for the default
            assertEquals(0x01, stored[1] & 0xff, catalog.toString());
            assertArrayEquals(CatalogBytes.compressed(Zlib.inflate(stored, Long.MAX_VALUE), dir.resolve("compressed")), stored);
        }
    }

    @Test
    void modifiesFilesAndAttributes() {
        populate();
        repo.edit(m -> {
            m.replaceFile(p("/sw/README"), repo.file("README", "new text, longer\n").build(), List.of());
            DirectoryEntry bin = m.lookup(p("/sw/bin")).orElseThrow();
            m.setAttributes(p("/sw/bin"), bin.toBuilder().mtime(42).mode(040700).uid(7).build());
            DirectoryEntry cap = m.lookup(p("/sw/lib/cap")).orElseThrow();
            m.setAttributes(p("/sw/lib/cap"), cap.toBuilder().xattrs(XattrList.EMPTY).build());
            // a chunked file becomes a symlink, a plain file becomes chunked
            m.replaceFile(p("/sw/lib/deep/big"), DirectoryEntry.symlink("big", "../cap").build(), List.of());
            List<Chunk> chunks = repo.chunks("aaa", "bbbb", "c");
            m.replaceFile(p("/sw/bin/run.sh"), repo.chunkedFile("run.sh", chunks).build(), chunks);
        });
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(17, h.lookup(p("/sw/README")).orElseThrow().size());
            DirectoryEntry bin = h.lookup(p("/sw/bin")).orElseThrow();
            assertEquals(42, bin.mtime());
            assertEquals(0700, bin.permissions());
            assertEquals(2, bin.linkcount(), "setAttributes keeps the linkcount");
            assertTrue(h.lookup(p("/sw/lib/cap")).orElseThrow().xattrs().isEmpty());
            assertEquals(EntryKind.SYMLINK, h.lookup(p("/sw/lib/deep/big")).orElseThrow().kind());
            assertEquals(3, h.chunks(p("/sw/bin/run.sh")).size());
            CatalogCounters n = h.rootCatalog().counters();
            assertEquals(0, n.self(Field.XATTR));
            assertEquals(3, n.self(Field.CHUNKS));
            assertEquals(2, n.self(Field.SYMLINK));
        }
    }

    @Test
    void removesFilesAndDirectoriesRecursively() {
        populate();
        repo.edit(m -> {
            m.remove(p("/sw/bin/start"));
            m.remove(p("/sw/lib"));
        });
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(List.of("README", "bin"), h.listing(p("/sw")).stream().map(DirectoryEntry::name).toList());
            assertEquals(3, h.lookup(p("/sw")).orElseThrow().linkcount());
            assertEquals(5, h.rootCatalog().rowCount());
            assertEquals(0, h.rootCatalog().counters().self(Field.CHUNKS));
        }
    }

    @Test
    void createsNestedCatalogMovingTheSubtree() {
        populate();
        CatalogCommit c = repo.edit(m -> m.createNestedCatalog(p("/sw/lib")));
        assertEquals(2, c.catalogs().size());
        try (CatalogHierarchy h = repo.read()) {
            Catalog root = h.rootCatalog();
            DirectoryEntry mountpoint = root.lookup(p("/sw/lib")).orElseThrow();
            assertEquals(3, mountpoint.flags().value());
            assertTrue(root.listing(p("/sw/lib")).isEmpty());
            NestedCatalogRef ref = h.nestedCatalog(p("/sw/lib")).orElseThrow();
            assertEquals(c.catalogs().get(0), ref.hash());
            assertEquals(ref.hash(), h.catalogHashFor(p("/sw/lib")));
            assertEquals(ref.hash(), h.catalogHashFor(p("/sw/lib/cap")));
            assertEquals(c.rootHash(), h.catalogHashFor(p("/sw")));
            Catalog nested = h.catalogFor(p("/sw/lib/cap"));
            assertEquals(p("/sw/lib"), nested.rootPrefix());
            assertEquals(1, nested.revision());
            assertEquals("0".repeat(40), nested.previousRevision().orElseThrow().toText());
            assertEquals(33, nested.lookup(p("/sw/lib")).orElseThrow().flags().value());
            assertEquals(List.of(".cvmfscatalog", "cap", "deep"),
                    nested.listing(p("/sw/lib")).stream().map(DirectoryEntry::name).toList());
            DirectoryEntry marker = nested.lookup(p("/sw/lib/.cvmfscatalog")).orElseThrow();
            assertEquals("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78", marker.hash().toText());
            assertEquals(2, nested.chunks(p("/sw/lib/deep/big")).size());
            assertEquals(1, root.counters().self(Field.NESTED));
            assertEquals(0, root.counters().self(Field.CHUNKS));
            assertEquals(2, root.counters().subtree(Field.CHUNKS));
            assertEquals(2, root.counters().subtree(Field.DIR));
            assertEquals(3, root.counters().subtree(Field.REGULAR));
        }
    }

    @Test
    void nestedCatalogsInsideNestedCatalogsAndRegrouping() {
        populate();
        repo.edit(m -> m.createNestedCatalog(p("/sw/lib/deep")));
        // a catalog created above an existing one takes it over as its own child
        repo.edit(m -> m.createNestedCatalog(p("/sw")));
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(List.of(p("/sw")), h.rootCatalog().nestedCatalogs().stream().map(NestedCatalogRef::path).toList());
            Catalog sw = h.catalogFor(p("/sw/README"));
            assertEquals(List.of(p("/sw/lib/deep")), sw.nestedCatalogs().stream().map(NestedCatalogRef::path).toList());
            assertEquals(2, h.catalogFor(p("/sw/lib/deep/big")).counters().self(Field.CHUNKS));
            assertEquals(1, h.rootCatalog().counters().self(Field.NESTED));
            assertEquals(1, h.rootCatalog().counters().subtree(Field.NESTED));
        }
        // adding a directory at a nested root updates the mountpoint row in the parent too
        repo.edit(m -> m.addDirectory(p("/sw/lib/deep/more"), dir("more")));
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(3, h.catalogFor(p("/sw/lib")).lookup(p("/sw/lib/deep")).orElseThrow().linkcount());
            assertEquals(3, h.lookup(p("/sw/lib/deep")).orElseThrow().linkcount());
        }
        // and the inner catalog merges back
        repo.edit(m -> m.removeNestedCatalog(p("/sw")));
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(List.of(p("/sw/lib/deep")),
                    h.rootCatalog().nestedCatalogs().stream().map(NestedCatalogRef::path).toList());
            assertEquals(1, h.rootCatalog().lookup(p("/sw")).orElseThrow().flags().value());
            assertFalse(h.rootCatalog().lookup(p("/sw/.cvmfscatalog")).isPresent());
            assertEquals(4, h.lookup(p("/sw")).orElseThrow().linkcount());
        }
    }

    @Test
    void removesNestedCatalogsWithTheirDirectory() {
        populate();
        repo.edit(m -> {
            m.createNestedCatalog(p("/sw/lib"));
            m.createNestedCatalog(p("/sw/lib/deep"));
        });
        repo.edit(m -> m.remove(p("/sw/lib")));
        try (CatalogHierarchy h = repo.read()) {
            assertTrue(h.rootCatalog().nestedCatalogs().isEmpty());
            assertEquals(CatalogCounters.ZERO.toStatistics().keySet(), h.rootCatalog().counters().toStatistics().keySet());
            assertEquals(0, h.rootCatalog().counters().subtree(Field.DIR));
            assertFalse(h.lookup(p("/sw/lib")).isPresent());
        }
    }

    @Test
    void directoryReplacedByFile() {
        populate();
        repo.edit(m -> m.createNestedCatalog(p("/sw/lib/deep")));
        repo.edit(m -> m.replaceFile(p("/sw/lib"), repo.file("lib", "now a file").build(), List.of()));
        try (CatalogHierarchy h = repo.read()) {
            assertTrue(h.lookup(p("/sw/lib")).orElseThrow().isRegular());
            assertEquals(3, h.lookup(p("/sw")).orElseThrow().linkcount());
            assertTrue(h.rootCatalog().nestedCatalogs().isEmpty());
        }
    }

    @Test
    void removedNestedCatalogDirectoryKeepsItsContent() {
        populate();
        repo.edit(m -> m.createNestedCatalog(p("/sw/bin")));
        repo.edit(m -> m.removeNestedCatalog(p("/sw/bin")));
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(List.of("run.sh", "start"), h.listing(p("/sw/bin")).stream().map(DirectoryEntry::name).toList());
            assertEquals(1, h.rootCatalog().lookup(p("/sw/bin")).orElseThrow().flags().value());
        }
    }

    @Test
    void markerFileSwitchesNestedCatalogsOnAndOff() {
        populate();
        repo.edit(m -> {
            m.addFile(p("/sw/bin/.cvmfscatalog"), repo.file(".cvmfscatalog", "").build(), List.of());
            assertTrue(m.isNestedCatalogMountpoint(p("/sw/bin")));
        });
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(p("/sw/bin"), h.nestedCatalog(p("/sw/bin")).orElseThrow().path());
            assertEquals(List.of(".cvmfscatalog", "run.sh", "start"),
                    h.listing(p("/sw/bin")).stream().map(DirectoryEntry::name).toList());
        }
        repo.edit(m -> {
            m.remove(p("/sw/bin/.cvmfscatalog"));
            assertFalse(m.isNestedCatalogMountpoint(p("/sw/bin")));
        });
        try (CatalogHierarchy h = repo.read()) {
            assertTrue(h.rootCatalog().nestedCatalogs().isEmpty());
            assertEquals(List.of("run.sh", "start"), h.listing(p("/sw/bin")).stream().map(DirectoryEntry::name).toList());
        }
        // a marker in the root directory is just a file
        repo.edit(m -> m.addFile(p("/.cvmfscatalog"), repo.file(".cvmfscatalog", "").build(), List.of()));
    }

    @Test
    void oneFileChangeTouchesOnlyTheCatalogsOnItsPath() {
        repo.edit(m -> {
            for (String top : List.of("a", "b", "c")) {
                m.addDirectory(p("/" + top), dir(top));
                for (int i = 0; i < 50; i++) {
                    m.addFile(p("/" + top + "/f" + i), repo.file("f" + i, top + i).build(), List.of());
                }
                m.createNestedCatalog(p("/" + top));
            }
        });
        ContentHash b;
        try (CatalogHierarchy h = repo.read()) {
            b = h.nestedCatalog(p("/b")).orElseThrow().hash();
        }
        repo.source.fetched.clear();
        CatalogCommit c;
        try (WritableCatalogManager m = WritableCatalogManager.open(repo.source, repo.head, repo.tmp)) {
            m.replaceFile(p("/a/f7"), repo.file("f7", "changed").build(), List.of());
            c = m.commit(repo.store, HashAlgorithm.SHA1, java.time.Clock.systemUTC());
        }
        assertEquals(2, repo.source.fetched.size(), "only the root and /a were fetched: " + repo.source.fetched);
        assertEquals(2, c.catalogs().size());
        repo.head = c.rootHash();
        repo.headSize = c.rootSize();
        assertEquals(List.of(), repo.verify());
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(b, h.nestedCatalog(p("/b")).orElseThrow().hash());
            assertEquals(7, h.lookup(p("/a/f7")).orElseThrow().size());
        }
    }

    @Test
    void swapsANestedCatalogForAStoredOne() {
        populate();
        repo.edit(m -> m.createNestedCatalog(p("/sw/lib")));
        ContentHash before = repo.head;
        long beforeSize = repo.headSize;
        repo.edit(m -> {
            m.addFile(p("/sw/lib/extra"), repo.file("extra", "more").build(), List.of());
            m.addDirectory(p("/sw/lib/sub"), dir("sub"));
        });
        NestedCatalogRef edited;
        try (CatalogHierarchy h = repo.read()) {
            edited = h.nestedCatalog(p("/sw/lib")).orElseThrow();
        }
        repo.head = before;
        repo.headSize = beforeSize;
        repo.edit(m -> m.swapNestedCatalog(p("/sw/lib"), edited.hash(), edited.size()));
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(edited.hash(), h.nestedCatalog(p("/sw/lib")).orElseThrow().hash());
            assertTrue(h.lookup(p("/sw/lib/extra")).isPresent());
            assertEquals(4, h.rootCatalog().lookup(p("/sw/lib")).orElseThrow().linkcount());
        }
    }

    @Test
    void refusesImpossibleEdits() {
        populate();
        try (WritableCatalogManager m = WritableCatalogManager.open(repo.source, repo.head, repo.tmp)) {
            DirectoryEntry f = repo.file("x", "x").build();
            CatalogException e = assertThrows(CatalogException.class,
                    () -> m.addFile(p("/missing/x"), f, List.of()));
            assertTrue(e.getMessage().contains("/missing does not exist"), e.getMessage());
            e = assertThrows(CatalogException.class, () -> m.addFile(p("/sw/README/x"), f, List.of()));
            assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
            assertThrows(CatalogException.class, () -> m.addDirectory(p("/sw/bin"), dir("bin")));
            assertThrows(CatalogException.class, () -> m.addDirectory(p("/sw/x"), f));
            assertThrows(CatalogException.class, () -> m.remove(RepositoryPath.ROOT));
            assertThrows(CatalogException.class, () -> m.remove(p("/nothing")));
            assertThrows(CatalogException.class, () -> m.createNestedCatalog(RepositoryPath.ROOT));
            assertThrows(CatalogException.class, () -> m.createNestedCatalog(p("/sw/README")));
            assertThrows(CatalogException.class, () -> m.removeNestedCatalog(p("/sw")));
            assertThrows(CatalogException.class, () -> m.setAttributes(p("/sw"), f));
            m.createNestedCatalog(p("/sw/lib"));
            assertThrows(CatalogException.class, () -> m.createNestedCatalog(p("/sw/lib")));
            assertThrows(CatalogException.class, () -> m.swapNestedCatalog(p("/sw/lib"),
                    ContentHash.parse("00".repeat(20), ObjectSuffix.CATALOG), 1));
        }
        assertThrows(IllegalArgumentException.class, () -> RepositoryPath.of("/sw/../etc"));
        assertThrows(IllegalArgumentException.class, () -> RepositoryPath.of("/sw/a\0b"));
    }

    @Test
    void concurrentManagersOnTheSameHeadAndStore() throws Exception {
        populate();
        ContentHash head = repo.head;
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<CatalogCommit>> results = new java.util.ArrayList<>();
            for (int t = 0; t < 4; t++) {
                String name = "t" + t;
                results.add(pool.submit(() -> {
                    try (WritableCatalogManager m = WritableCatalogManager.open(repo.source, head, repo.tmp)) {
                        m.addDirectory(p("/sw/" + name), dir(name));
                        m.addFile(p("/sw/" + name + "/f"), DirectoryEntry.regularFile("f", 0644, 0,
                                ContentHash.parse("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78", ObjectSuffix.NONE)).build(),
                                List.of());
                        m.createNestedCatalog(p("/sw/" + name));
                        m.replaceFile(p("/sw/README"), repo.file("README", name).build(), List.of());
                        return m.commit(repo.store, HashAlgorithm.SHA1,
                                java.time.Clock.systemUTC());
                    }
                }));
            }
            for (java.util.concurrent.Future<CatalogCommit> f : results) {
                CatalogCommit c = f.get();
                assertEquals(List.of(), new CatalogVerifier(repo.source, repo.tmp).verify(c.rootHash(), c.rootSize(), true));
                assertEquals(2, c.revision());
            }
        } finally {
            pool.shutdown();
        }
    }

    @Test
    void committedManagerIsSpent() {
        WritableCatalogManager m = WritableCatalogManager.open(repo.source, repo.head, repo.tmp);
        m.commit(repo.store, HashAlgorithm.SHA1, java.time.Clock.systemUTC());
        assertThrows(IllegalStateException.class, () -> m.lookup(RepositoryPath.ROOT));
        m.close();
        assertNotEquals(null, repo.head);
    }
}
