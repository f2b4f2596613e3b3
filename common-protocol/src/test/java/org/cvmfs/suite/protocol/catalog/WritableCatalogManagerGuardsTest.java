package org.cvmfs.suite.protocol.catalog;

import static org.cvmfs.suite.protocol.catalog.TestRepository.dir;
import static org.cvmfs.suite.protocol.catalog.TestRepository.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the catalog manager refuses (edits after commit or close, an entry of the wrong kind for
 * the call) and that an edit confined to a nested catalog reaches the committed tree, so that
 * PIT's mutants of its guards and dirty marks die (issue 9).
 */
class WritableCatalogManagerGuardsTest {
    private static final String SPENT = "catalog manager already committed or closed";

    @TempDir
    Path dir;
    TestRepository repo;

    @BeforeEach
    void setUp() {
        repo = new TestRepository(dir);
        repo.edit(m -> {
            m.addDirectory(p("/n"), dir("n"));
            m.addFile(p("/n/old"), repo.file("old", "old\n").build(), List.of());
            m.createNestedCatalog(p("/n"));
        });
    }

    private static void assertSpent(Executable edit) {
        assertEquals(SPENT, assertThrows(IllegalStateException.class, edit).getMessage());
    }

    private void assertEveryEditRefused(WritableCatalogManager m) {
        DirectoryEntry file = repo.file("f", "f\n").build();
        assertSpent(() -> m.addDirectory(p("/d"), dir("d")));
        assertSpent(() -> m.addFile(p("/f"), file, List.of()));
        assertSpent(() -> m.replaceFile(p("/n/old"), file, List.of()));
        assertSpent(() -> m.setAttributes(p("/n"), dir("n")));
        assertSpent(() -> m.remove(p("/n/old")));
        assertSpent(() -> m.createNestedCatalog(p("/n")));
        assertSpent(() -> m.removeNestedCatalog(p("/n")));
        assertSpent(() -> m.setTtl(60));
        assertSpent(() -> m.commit(repo.store, HashAlgorithm.SHA1, Clock.systemUTC()));
    }

    @Test
    void aCommittedManagerRefusesEveryEdit() {
        try (WritableCatalogManager m = WritableCatalogManager.open(repo.source, repo.head, repo.tmp)) {
            m.commit(repo.store, HashAlgorithm.SHA1, Clock.systemUTC());
            assertEveryEditRefused(m);
        }
    }

    @Test
    void aClosedManagerRefusesEveryEdit() {
        WritableCatalogManager m = WritableCatalogManager.open(repo.source, repo.head, repo.tmp);
        m.close();
        assertEveryEditRefused(m);
    }

    @Test
    void eachCallTakesOnlyItsKindOfEntry() {
        try (WritableCatalogManager m = WritableCatalogManager.open(repo.source, repo.head, repo.tmp)) {
            DirectoryEntry file = repo.file("f", "f\n").build();
            assertEquals(p("/f") + ": expected a non-directory, got a " + EntryKind.DIRECTORY,
                    assertThrows(CatalogException.class, () -> m.addFile(p("/f"), dir("f"), List.of())).getMessage());
            assertEquals(p("/d") + ": expected a directory, got a " + EntryKind.REGULAR,
                    assertThrows(CatalogException.class, () -> m.addDirectory(p("/d"), file)).getMessage());
            assertEquals(p("/n/old") + ": expected a non-directory, got a " + EntryKind.DIRECTORY,
                    assertThrows(CatalogException.class, () -> m.replaceFile(p("/n/old"), dir("old"), List.of())).getMessage());
            assertTrue(m.lookup(p("/f")).isEmpty());
            assertTrue(m.lookup(p("/d")).isEmpty());
            assertTrue(m.lookup(p("/n/old")).orElseThrow().isRegular());
        }
    }

    @Test
    void anAdditionInsideANestedCatalogOnlyIsCommitted() {
        repo.edit(m -> m.addFile(p("/n/new"), repo.file("new", "new\n").build(), List.of()));
        repo.edit(m -> m.addDirectory(p("/n/sub"), dir("sub")));
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(4, h.lookup(p("/n/new")).orElseThrow().size());
            assertTrue(h.lookup(p("/n/sub")).orElseThrow().isDirectory());
        }
    }

    @Test
    void attributesReplacementsAndRemovalsInsideANestedCatalogOnlyAreCommitted() {
        repo.edit(m -> m.setAttributes(p("/n/old"), m.lookup(p("/n/old")).orElseThrow().toBuilder().mtime(12345).build()));
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(12345, h.lookup(p("/n/old")).orElseThrow().mtime());
        }
        repo.edit(m -> m.replaceFile(p("/n/old"), repo.file("old", "replaced!\n").build(), List.of()));
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(10, h.lookup(p("/n/old")).orElseThrow().size());
        }
        repo.edit(m -> m.remove(p("/n/old")));
        try (CatalogHierarchy h = repo.read()) {
            assertTrue(h.lookup(p("/n/old")).isEmpty());
        }
    }

    /*
     * Entries are added directory by directory, and the manager keeps the parent it found last:
     * an edit that removes that parent, turns it into a file or moves its rows to another catalog
     * must make the next addition look again.
     */

    @Test
    void aParentRemovedInTheSameSessionTakesNoMoreEntries() {
        repo.edit(m -> {
            m.addDirectory(p("/d"), dir("d"));
            m.addFile(p("/d/a"), repo.file("a", "a\n").build(), List.of());
            m.remove(p("/d"));
            CatalogException e = assertThrows(CatalogException.class,
                    () -> m.addFile(p("/d/b"), repo.file("b", "b\n").build(), List.of()));
            assertEquals("/d/b: parent directory /d does not exist", e.getMessage());
        });
    }

    @Test
    void aParentReplacedByAFileTakesNoMoreEntries() {
        repo.edit(m -> {
            m.addDirectory(p("/d"), dir("d"));
            m.addFile(p("/d/a"), repo.file("a", "a\n").build(), List.of());
            m.replaceFile(p("/d"), repo.file("d", "now a file\n").build(), List.of());
            CatalogException e = assertThrows(CatalogException.class,
                    () -> m.addDirectory(p("/d/b"), dir("b")));
            assertTrue(e.getMessage().endsWith("not a directory"), e.getMessage());
        });
    }

    @Test
    void anEntryAddedAfterItsParentBecameANestedCatalogLandsInThatCatalog() {
        repo.edit(m -> {
            m.addDirectory(p("/d"), dir("d"));
            m.addFile(p("/d/a"), repo.file("a", "a\n").build(), List.of());
            m.createNestedCatalog(p("/d"));
            m.addFile(p("/d/b"), repo.file("b", "b\n").build(), List.of());
        });
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(h.catalogHashFor(p("/d")), h.catalogHashFor(p("/d/b")));
            assertTrue(!h.catalogHashFor(p("/d/b")).equals(h.catalogHashFor(p("/f"))), "in the nested catalog");
        }
    }

    @Test
    void anEntryAddedAfterItsParentsCatalogWasMergedBackLandsInTheParentCatalog() {
        repo.edit(m -> {
            m.addFile(p("/n/a"), repo.file("a", "a\n").build(), List.of());
            m.removeNestedCatalog(p("/n"));
            m.addFile(p("/n/b"), repo.file("b", "b\n").build(), List.of());
        });
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(h.catalogHashFor(p("/x")), h.catalogHashFor(p("/n/b")));
            assertTrue(h.lookup(p("/n/a")).isPresent());
            assertTrue(h.lookup(p("/n/b")).isPresent());
        }
    }

    @Test
    void anExistingEntryIsNotAddedTwice() {
        repo.edit(m -> {
            m.addFile(p("/n/a"), repo.file("a", "a\n").build(), List.of());
            CatalogException e = assertThrows(CatalogException.class,
                    () -> m.addFile(p("/n/a"), repo.file("a", "again\n").build(), List.of()));
            assertEquals("/n/a exists already", e.getMessage());
        });
    }

    @Test
    void readsSeeTheStagedTreeAndASpentManagerRefusesThemToo() {
        WritableCatalogManager m = WritableCatalogManager.open(repo.source, repo.head, repo.tmp);
        try {
            List<Chunk> chunks = repo.chunks("first piece ", "second piece");
            m.addFile(p("/n/big"), repo.chunkedFile("big", chunks).build(), chunks);
            assertEquals(List.of(".cvmfscatalog", "big", "old"), m.listing(p("/n")).stream().map(DirectoryEntry::name).toList());
            assertEquals(chunks, m.chunks(p("/n/big")));
            assertTrue(m.isNestedCatalogMountpoint(p("/n")));
            m.setTtl(60);
            m.commit(repo.store, HashAlgorithm.SHA1, Clock.systemUTC());
            assertSpent(() -> m.listing(p("/n")));
            assertSpent(() -> m.chunks(p("/n/big")));
            assertSpent(() -> m.isNestedCatalogMountpoint(p("/n")));
        } finally {
            m.close();
        }
    }

    @Test
    void theTtlIsCommittedInTheRootCatalog() {
        repo.edit(m -> m.setTtl(60));
        try (CatalogHierarchy h = repo.read()) {
            assertEquals(60, h.rootCatalog().ttl().orElseThrow());
        }
    }
}
