package org.cvmfs.suite.protocol.catalog;

import static org.cvmfs.suite.protocol.catalog.TestRepository.dir;
import static org.cvmfs.suite.protocol.catalog.TestRepository.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.sqlite.DatabasePages;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The delta must name every directory above a changed entry (else the diff misses a change),
 * and, for an in-place edit, spare the directories that hold none (else it saves nothing).
 * The truth it is held to: every path of both revisions looked up in each.
 */
class CatalogDeltaTest {
    private static final int DIRS = 12;
    private static final int FILES = 60;

    @TempDir
    Path dir;
    TestRepository repo;
    ContentHash base;

    @BeforeEach
    void setUp() {
        repo = new TestRepository(dir);
        repo.edit(m -> {
            for (int d = 0; d < DIRS; d++) {
                m.addDirectory(p(dirPath(d)), dir(dirName(d)));
                m.addDirectory(p(dirPath(d) + "/sub"), dir("sub"));
                for (int f = 0; f < FILES; f++) {
                    m.addFile(p(dirPath(d) + "/file" + f), repo.file("file" + f, d + "/" + f).build(), List.of());
                }
                m.addFile(p(dirPath(d) + "/sub/deep"), repo.file("deep", "deep " + d).build(), List.of());
            }
        });
        base = repo.head;
    }

    private static String dirName(int d) {
        return String.format("d%02d", d);
    }

    private static String dirPath(int d) {
        return "/" + dirName(d);
    }

    @Test
    void oneChangedFileNamesItsAncestorsOnly() {
        Sides s = after(m -> m.replaceFile(p("/d07/sub/deep"), repo.file("deep", "changed").build(), List.of()));
        assertSound(s);
        assertTrue(s.delta.changedBelow(p("/d07/sub")));
        assertTrue(s.delta.changedBelow(RepositoryPath.ROOT));
        // rows share pages: a neighbour of the changed row on its page is named too, no more
        List<String> named = new ArrayList<>();
        for (int d = 0; d < DIRS; d++) {
            if (d != 7 && s.delta.changedBelow(p(dirPath(d)))) {
                named.add(dirPath(d));
            }
        }
        assertTrue(named.size() <= 1, () -> "directories without a change named: " + named);
    }

    @Test
    void everyAncestorOfADeepChangeIsNamed() {
        repo.edit(m -> {
            m.addDirectory(p("/deep"), dir("deep"));
            m.addDirectory(p("/deep/a"), dir("a"));
            m.addDirectory(p("/deep/a/b"), dir("b"));
            for (int f = 0; f < 40; f++) {
                m.addFile(p("/deep/a/b/f" + f), repo.file("f" + f, "deep " + f).build(), List.of());
            }
        });
        base = repo.head;
        // the changed row's page holds rows of /deep/a/b only: its ancestors come from the walk up
        Sides s = after(m -> m.replaceFile(p("/deep/a/b/f20"), repo.file("f20", "changed").build(), List.of()));
        for (RepositoryPath up : List.of(p("/deep/a/b"), p("/deep/a"), p("/deep"), RepositoryPath.ROOT)) {
            assertTrue(s.delta.changedBelow(up), up.toString());
        }
        assertSound(s);
    }

    @Test
    void removedSubtreesFreeingPagesAreSeen() {
        Sides s = after(m -> {
            for (int d : new int[] {3, 4}) {
                for (int f = 0; f < FILES; f++) {
                    m.remove(p(dirPath(d) + "/file" + f));
                }
                m.remove(p(dirPath(d) + "/sub/deep"));
                m.remove(p(dirPath(d) + "/sub"));
                m.remove(p(dirPath(d)));
            }
        });
        assertSound(s);
        assertFalse(s.delta.changedBelow(p("/d09")));
    }

    @Test
    void aCatalogCompactedAfterHeavyChurnIsComparedSoundly() {
        Sides s = after(m -> {
            for (int d = 0; d < DIRS - 1; d++) {
                for (int f = 0; f < FILES; f += 2) {
                    m.remove(p(dirPath(d) + "/file" + f));
                }
            }
        });
        // the writer vacuums a catalog with this many free pages: its rows move to other pages, so
        // an untouched directory's rows lie on changed pages too (or the delta gave up)
        assertTrue(s.delta.changedBelow(p(dirPath(DIRS - 1) + "/sub")), "rows moved by the vacuum count as changed");
        assertSound(s);
    }

    @Test
    void rowsSpillingOntoOverflowPagesCountAsChanged() {
        Map<String, byte[]> big = new TreeMap<>();
        for (int i = 0; i < 16; i++) {
            big.put("user.a" + i, "x".repeat(250).getBytes(StandardCharsets.US_ASCII));
        }
        repo.edit(m -> m.replaceFile(p("/d02/file5"), repo.file("file5", "2/5").xattrs(XattrList.of(big)).build(),
                List.of()));
        base = repo.head;
        Map<String, byte[]> changedTail = new TreeMap<>(big);
        changedTail.put("user.a9", "x".repeat(249).concat("y").getBytes(StandardCharsets.US_ASCII));
        Sides s = after(m -> m.replaceFile(p("/d02/file5"), repo.file("file5", "2/5").xattrs(XattrList.of(
                changedTail)).build(), List.of()));
        assertSound(s);
        assertTrue(s.delta.changedBelow(p("/d02")));
    }

    @Test
    void addedDirectoriesAndANestedCatalogAreSeen() {
        Sides s = after(m -> {
            m.addDirectory(p("/d05/new"), dir("new"));
            m.addFile(p("/d05/new/f"), repo.file("f", "new").build(), List.of());
            m.createNestedCatalog(p("/d11"));
        });
        assertSound(s);
        assertFalse(s.delta.changedBelow(p("/d06")));
    }

    @Test
    void aChangeInsideANestedCatalogNamesItsMountpointsAncestors() {
        repo.edit(m -> m.createNestedCatalog(p("/d01/sub")));
        base = repo.head;
        Sides s = after(m -> m.replaceFile(p("/d01/sub/deep"), repo.file("deep", "changed").build(), List.of()));
        assertTrue(s.delta.changedBelow(p("/d01")), "the reference to the nested catalog changed");
        assertFalse(s.delta.changedBelow(p("/d02")));
        assertSound(s);
    }

    @Test
    void anUnreadablePageCountsEveryDirectoryAsChanged() throws Exception {
        Sides s = after(m -> m.replaceFile(p("/d07/file1"), repo.file("file1", "changed").build(), List.of()));
        Path damaged = dir.resolve("damaged.sqlite");
        byte[] bytes = Files.readAllBytes(s.newer.rootCatalog().database().path());
        int leaf = s.olderLeafPage();
        bytes[(leaf - 1) * 1024] = 0x2A; // no b-tree page type
        Files.write(damaged, bytes);
        try (Catalog newer = Catalog.open(damaged)) {
            CatalogDelta delta = CatalogDelta.between(s.older.rootCatalog(), newer);
            for (int d = 0; d < DIRS; d++) {
                assertTrue(delta.changedBelow(p(dirPath(d))));
            }
        } finally {
            s.close();
        }
    }

    /** Both revisions opened, and the delta between their root catalogs. */
    private final class Sides implements AutoCloseable {
        final CatalogHierarchy older;
        final CatalogHierarchy newer;
        final CatalogDelta delta;

        Sides(ContentHash before, ContentHash after) {
            older = CatalogHierarchy.open(repo.source, before, repo.tmp);
            newer = CatalogHierarchy.open(repo.source, after, repo.tmp);
            delta = CatalogDelta.between(older.rootCatalog(), newer.rootCatalog());
        }

        int olderLeafPage() {
            try (var s = older.rootCatalog().database().prepare(
                    "SELECT rootpage FROM sqlite_master WHERE name = 'catalog'"); var rs = s.executeQuery()) {
                rs.next();
                int root = rs.getInt(1);
                try (DatabasePages pages = DatabasePages.open(older.rootCatalog().database().path())) {
                    return pages.tableLeaves(root).nextSetBit(0);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException(e);
            }
        }

        @Override
        public void close() {
            older.close();
            newer.close();
        }
    }

    private Sides after(Consumer<WritableCatalogManager> edits) {
        repo.edit(edits);
        return new Sides(base, repo.head);
    }

    /** Every directory of the root catalog above an entry that differs between the two sides is named. */
    private void assertSound(Sides s) {
        try (s) {
            TreeSet<String> paths = new TreeSet<>();
            collect(s.older, RepositoryPath.ROOT, paths);
            collect(s.newer, RepositoryPath.ROOT, paths);
            List<String> missed = new ArrayList<>();
            int changed = 0;
            for (String path : paths) {
                RepositoryPath rp = p(path);
                Optional<DirectoryEntry> before = s.older.rootCatalog().lookup(rp);
                Optional<DirectoryEntry> after = s.newer.rootCatalog().lookup(rp);
                Optional<NestedCatalogRef> refBefore = s.older.nestedCatalog(rp);
                Optional<NestedCatalogRef> refAfter = s.newer.nestedCatalog(rp);
                if (before.equals(after) && refBefore.equals(refAfter)) {
                    continue;
                }
                changed++;
                for (RepositoryPath up = rp; !up.isRoot(); ) {
                    up = up.parent();
                    if (!s.delta.changedBelow(up)) {
                        missed.add(up + " above " + path);
                    }
                }
            }
            assertTrue(changed > 0, "the edit changed something");
            assertEquals(List.of(), missed);
        }
    }

    /** Every path of the root catalog's namespace (not descending into nested catalogs). */
    private static void collect(CatalogHierarchy tree, RepositoryPath directory, TreeSet<String> out) {
        for (DirectoryEntry e : tree.rootCatalog().listing(directory)) {
            RepositoryPath child = directory.child(e.name());
            out.add(child.value());
            if (e.isDirectory() && !e.nestedMountpoint()) {
                collect(tree, child, out);
            }
        }
    }
}
