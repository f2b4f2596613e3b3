package org.cvmfs.suite.protocol.repository.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.HeadPublisher;
import org.cvmfs.suite.protocol.repository.MkfsOptions;
import org.cvmfs.suite.protocol.repository.Publication;
import org.cvmfs.suite.protocol.repository.ReflogChecksum;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryOwner;
import org.cvmfs.suite.protocol.repository.Stratum0Creator;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cvmfs_server check -r} of a Stratum-0 whose {@code .cvmfsreflog} was lost: the reflog is
 * rebuilt from the catalog and history chains with every object the lost one listed, the head is
 * re-signed with it, the check passes and publishing goes on.
 */
class ReflogReconstructionTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    private RepositoryLayout layout;
    private ObjectStore store;
    private Manifest head;

    @BeforeEach
    void repositoryWithRevisionsAndATag() {
        layout = new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "rebuild.example.org");
        head = new Stratum0Creator(CLOCK).create(layout, new MkfsOptions(new RepositoryOwner("cvmfs", 1, 1),
                HashAlgorithm.SHA1, false)).manifest();
        store = new ObjectStore(layout.servedRoot());
        publish("a", "a1", "v1");
        publish("a", "a2", "");
        publish("b", "b1", "");
    }

    private HeadPublisher publisher() {
        return new HeadPublisher(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), CLOCK);
    }

    private void publish(String name, String content, String tag) {
        CatalogCommit commit;
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(
                new LocalRepositorySource(layout.servedRoot()), head.rootCatalog(), tmp.resolve("staging"))) {
            RepositoryPath path = RepositoryPath.ROOT.child(name);
            ContentHash hash = store.putCompressed(content.getBytes(StandardCharsets.UTF_8), HashAlgorithm.SHA1,
                    ObjectSuffix.NONE);
            DirectoryEntry e = DirectoryEntry.regularFile(name, 0644, content.length(), hash).mtime(1).build();
            if (catalogs.lookup(path).isPresent()) {
                catalogs.replaceFile(path, e, List.of());
            } else {
                catalogs.addFile(path, e, List.of());
            }
            commit = catalogs.commit(store, HashAlgorithm.SHA1, CLOCK);
        }
        head = publisher().publish(new Publication(head, commit, tag, "", List.of())).manifest();
    }

    private CheckReport check() {
        return new RepositoryChecker(CLOCK, tmp.resolve("check")).checkLocal(layout, CheckOptions.full());
    }

    private Set<String> listed() throws Exception {
        try (Reflog reflog = Reflog.open(Files.readAllBytes(layout.reflog()), tmp)) {
            return reflog.entries().stream().map(e -> e.object().toSuffixedText())
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    @Test
    void aLostReflogIsRebuiltWithEveryObjectItListedAndTheHeadReSigned() throws Exception {
        Set<String> before = listed();
        assertEquals(5, before.stream().filter(h -> h.endsWith("C")).count(), "mkfs's two and 3 revisions: " + before);
        Files.delete(layout.reflog());
        assertEquals(FaultKind.REFLOG, check().firstKind().orElseThrow());

        List<String> actions = ReflogRepair.repair(layout, CLOCK);

        assertEquals(1, actions.size(), actions.toString());
        assertTrue(actions.get(0).startsWith("the manifest names reflog " + head.reflog().toText() + " but "
                + ".cvmfsreflog is missing; re-created it with " + before.size() + " entries"), actions.get(0));
        assertEquals(before, listed(), "the rebuilt reflog lists what the lost one did");
        Manifest resigned = SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest();
        assertEquals(head.revision(), resigned.revision());
        assertEquals(head.rootCatalog(), resigned.rootCatalog());
        assertEquals(resigned.reflog(), ReflogChecksum.read(layout).orElseThrow());
        assertFalse(Files.exists(layout.pendingReflog()));
        CheckReport after = check();
        assertTrue(after.passed(), () -> after.faults().toString());
        assertEquals(List.of(), ReflogRepair.repair(layout, CLOCK), "nothing left to repair");

        head = resigned;
        publish("c", "c1", "");
        assertTrue(check().passed(), "publishing goes on from the rebuilt reflog");
    }
}
