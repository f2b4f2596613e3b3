package org.cvmfs.suite.protocol.sync;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.catalog.Catalog;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.CatalogTestAccess;
import org.cvmfs.suite.protocol.catalog.CatalogVerifier;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the receiver's work for the two recorded publications: diff of the publisher's
 * catalogs against its base, merged onto the gateway's head, must give the served namespace.
 */
class GatewayMergeTest {
    static final String BEFORE_ROOT = "36648c0a923fdaca587f5440b541360c2d501ce3";
    static final String A_PUBLISHED = "eef5f225445aef7083aad5959208c27c80710da8";
    static final String A_ROOT = "65cb2f4851c2a8e44cf92151447d7e3157172db7";
    static final String B_PUBLISHED = "06eacfa1551a99cdd89affb3b9ad6217a0066b5f";
    static final RepositoryPath LEASE = RepositoryPath.of("/sw");

    @TempDir
    Path dir;

    static ContentHash c(String hex) {
        return ContentHash.parse(hex, ObjectSuffix.CATALOG);
    }

    /** Diffs {@code oldRoot} against {@code newRoot} inside the lease and merges onto {@code head}. */
    private CatalogCommit merge(RepositorySource source, ObjectStore store, String oldRoot, String newRoot,
            ContentHash head, List<CatalogChange> seen) {
        Path tmp = dir.resolve("tmp");
        try (CatalogHierarchy before = CatalogHierarchy.open(source, c(oldRoot), tmp);
             CatalogHierarchy after = CatalogHierarchy.open(source, c(newRoot), tmp);
             WritableCatalogManager target = WritableCatalogManager.open(source, head, tmp)) {
            CatalogMerge merge = new CatalogMerge(target);
            CatalogDiff.run(before, after, LEASE, change -> {
                seen.add(change);
                merge.accept(change);
            });
            return target.commit(store, HashAlgorithm.SHA1, Clock.fixed(Instant.ofEpochSecond(1795582756L), ZoneOffset.UTC));
        }
    }

    private Map<String, Map<String, Object>> namespace(RepositorySource source, ContentHash root) {
        try (CatalogHierarchy tree = CatalogHierarchy.open(source, root, dir.resolve("tmp"))) {
            return CatalogTestAccess.facts(tree);
        }
    }

    @Test
    void publicationAThenB() throws Exception {
        // our store starts with every object upstream served, so it reads the publisher's uploads and its own results
        Path ours = DirectoryTree.copy(Fixtures.gatewayPublication().resolve("after-b"), dir.resolve("repo"));
        ObjectStore store = new ObjectStore(ours);
        RepositorySource source = new LocalRepositorySource(ours);

        List<CatalogChange> changesA = new java.util.ArrayList<>();
        CatalogCommit a = merge(source, store, BEFORE_ROOT, A_PUBLISHED, c(BEFORE_ROOT), changesA);
        assertEquals(2, a.revision());
        assertEquals(2, a.catalogs().size(), "the new nested catalog /sw/nested and the root");
        assertEquals(CatalogTestAccess.expectedFacts("after-a"), namespace(source, a.rootHash()));
        assertEquals(List.of(), new CatalogVerifier(source, dir.resolve("tmp")).verify(a.rootHash(), a.rootSize(), true));
        assertTrue(changesA.stream().allMatch(ch -> ch.type() == CatalogChange.Type.ADDITION || ch.path().equals(LEASE)),
                changesA.toString());
        try (CatalogHierarchy tree = CatalogHierarchy.open(source, a.rootHash(), dir.resolve("tmp"))) {
            Catalog root = tree.rootCatalog();
            assertEquals(c(BEFORE_ROOT), root.previousRevision().orElseThrow());
            Catalog nested = tree.catalogFor(RepositoryPath.of("/sw/nested/data.txt"));
            assertEquals(1, nested.revision());
            assertEquals("0".repeat(40), nested.previousRevision().orElseThrow().toText());
        }

        // B as upstream's receiver saw it: publisher based on upstream's after-a root
        List<CatalogChange> changesB = new java.util.ArrayList<>();
        CatalogCommit b = merge(source, store, A_ROOT, B_PUBLISHED, c(A_ROOT), changesB);
        assertEquals(3, b.revision());
        assertEquals(CatalogTestAccess.expectedFacts("after-b"), namespace(source, b.rootHash()));
        assertEquals(List.of(), new CatalogVerifier(source, dir.resolve("tmp")).verify(b.rootHash(), b.rootSize(), true));

        // and the same diff merged onto our own result of A
        CatalogCommit b2 = merge(source, store, A_ROOT, B_PUBLISHED, a.rootHash(), new java.util.ArrayList<>());
        assertEquals(CatalogTestAccess.expectedFacts("after-b"), namespace(source, b2.rootHash()));
        assertEquals(List.of(), new CatalogVerifier(source, dir.resolve("tmp")).verify(b2.rootHash(), b2.rootSize(), true));
    }

    @Test
    void diffOfPublicationB() throws Exception {
        RepositorySource source = new LocalRepositorySource(Fixtures.gatewayPublication().resolve("after-b"));
        Path tmp = dir.resolve("tmp");
        try (CatalogHierarchy before = CatalogHierarchy.open(source, c(A_ROOT), tmp);
             CatalogHierarchy after = CatalogHierarchy.open(source, c(B_PUBLISHED), tmp)) {
            List<String> changes = CatalogDiff.changes(before, after, LEASE).stream()
                    .map(ch -> ch.type() + " " + ch.path()).toList();
            assertTrue(changes.contains("REMOVAL /sw/docs/notes.txt"), changes.toString());
            assertTrue(changes.contains("REMOVAL /sw/nested"), changes.toString());
            assertTrue(changes.contains("ADDITION /sw/extra"), changes.toString());
            assertTrue(changes.indexOf("ADDITION /sw/extra") < changes.indexOf("ADDITION /sw/extra/added.txt"));
            assertTrue(changes.contains("MODIFICATION /sw/lib/version.txt"), changes.toString());
            assertTrue(changes.stream().noneMatch(s -> s.startsWith("REMOVAL /sw/nested/")),
                    "a removed nested catalog is not descended: " + changes);
            assertTrue(changes.stream().noneMatch(s -> s.endsWith(" /new_repository")));

            // outside the lease nothing is reported, and the root lease sees the same changes
            assertEquals(List.of(), CatalogDiff.changes(before, after, RepositoryPath.of("/data")));
            assertEquals(changes, CatalogDiff.changes(before, after, RepositoryPath.ROOT).stream()
                    .map(ch -> ch.type() + " " + ch.path()).toList());
            List<String> narrow = CatalogDiff.changes(before, after, RepositoryPath.of("/sw/lib")).stream()
                    .map(ch -> ch.type() + " " + ch.path()).toList();
            assertTrue(narrow.contains("MODIFICATION /sw/lib/version.txt"), narrow.toString());
            assertTrue(narrow.stream().allMatch(s -> s.contains(" /sw/lib")), narrow.toString());
        }
    }
}
