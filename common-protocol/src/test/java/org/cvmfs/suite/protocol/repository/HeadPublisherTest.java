package org.cvmfs.suite.protocol.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.cvmfs.suite.protocol.history.Tag;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.check.CheckOptions;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.repository.check.RepositoryChecker;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HeadPublisherTest {
    static final Clock LATER = Clock.offset(Stratum0CreatorTest.CLOCK, Duration.ofMinutes(5));

    @TempDir
    Path tmp;
    private RepositoryLayout layout;
    private SignedManifest head;
    private ObjectStore store;

    @BeforeEach
    void mkfs() {
        layout = new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "pub.example.org");
        head = Stratum0CreatorTest.mkfs(layout, HashAlgorithm.SHA1);
        store = new ObjectStore(layout.servedRoot());
    }

    private HeadPublisher publisher() {
        return new HeadPublisher(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), LATER);
    }

    /** A new root catalog on top of {@code base} with one more file, as a gateway commit makes it. */
    private CatalogCommit nextCatalog(Manifest base, String fileName) {
        byte[] content = ("content of " + fileName + "\n").getBytes();
        ContentHash file = store.putCompressed(content, HashAlgorithm.SHA1, ObjectSuffix.NONE);
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(
                new LocalRepositorySource(layout.servedRoot()), base.rootCatalog(), tmp.resolve("staging"))) {
            catalogs.addFile(RepositoryPath.ROOT.child(fileName),
                    DirectoryEntry.regularFile(fileName, 0644, content.length, file).mtime(1).build(), List.of());
            return catalogs.commit(store, HashAlgorithm.SHA1, LATER);
        }
    }

    private void assertChecksClean() {
        CheckReport r = new RepositoryChecker(LATER, tmp.resolve("scratch")).checkLocal(layout, CheckOptions.full());
        assertTrue(r.passed(), () -> r.faults().toString());
    }

    @Test
    void publishesANewRevisionWithUndoTagsAndReflog() throws Exception {
        CatalogCommit commit = nextCatalog(head.manifest(), "a.txt");
        ContentHash uploaded = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {1}, ObjectSuffix.CATALOG);
        SignedManifest published = publisher().publish(new Publication(head.manifest(), commit,
                "release-1", "first release", List.of(uploaded)));
        Manifest m = published.manifest();
        assertEquals(2, m.revision());
        assertEquals(commit.rootHash(), m.rootCatalog());
        assertEquals(commit.rootSize(), m.rootCatalogSize());
        assertEquals(LATER.instant().getEpochSecond(), m.publishedSeconds());
        assertEquals(head.manifest().metaInfo(), m.metaInfo());
        assertEquals(SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest(), m);

        try (TagDatabase history = TagDatabase.open(Zlib.inflate(store.readStored(m.history()), 1 << 30), tmp)) {
            assertEquals(Set.of("trunk", "trunk-previous", "release-1", "generic-2026-11-25T10:00:00.000Z"),
                    history.tags().stream().map(Tag::name).collect(Collectors.toSet()));
            assertEquals(1, history.find("trunk-previous").orElseThrow().target().revision());
            assertEquals("first release", history.find("release-1").orElseThrow().description());
            assertEquals(head.manifest().history(), history.previousRevision().orElseThrow());
        }
        try (Reflog reflog = Reflog.open(Files.readAllBytes(layout.reflog()), tmp)) {
            assertTrue(reflog.contains(m.rootCatalog()));
            assertTrue(reflog.contains(head.manifest().rootCatalog()));
            assertTrue(reflog.contains(uploaded), "extra catalogs are kept for garbage collection");
        }
        assertEquals(m.reflog().toText(), Files.readString(layout.reflogChecksum()));
        assertChecksClean();
    }

    @Test
    void aStaleBaseIsRefusedAndNothingChanges() {
        Manifest base = head.manifest();
        publisher().publish(Publication.of(base, nextCatalog(base, "a.txt"), null));
        CatalogCommit late = nextCatalog(base, "b.txt");
        DirectorySnapshot before = DirectorySnapshot.of(layout.servedRoot());
        HeadMovedException e = assertThrows(HeadMovedException.class,
                () -> publisher().publish(Publication.of(base, late, null)));
        assertTrue(e.getMessage().startsWith("head of pub.example.org moved: publication is based on revision 1"),
                e.getMessage());
        // the refused publication's history object may not be written before the refusal
        assertEquals(before, DirectorySnapshot.of(layout.servedRoot()));
    }

    @Test
    void aRevisionThatDoesNotGrowIsRefused() {
        Manifest base = head.manifest();
        ContentHash sameRevision = base.rootCatalog();
        CatalogCommit again = new CatalogCommit(sameRevision, base.rootCatalogSize(), base.revision(), base.ttlSeconds(),
                base.publishedSeconds(), List.of());
        DirectorySnapshot before = DirectorySnapshot.of(layout.servedRoot());
        RepositoryException e = assertThrows(RepositoryException.class,
                () -> publisher().publish(Publication.of(base, again, null)));
        assertEquals("root catalog " + sameRevision + " has revision 1, not above the published revision 1", e.getMessage());
        assertEquals(before, DirectorySnapshot.of(layout.servedRoot()));
    }

    @Test
    void aCatalogThatIsNotStoredIsRefused() {
        ContentHash absent = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {42}, ObjectSuffix.CATALOG);
        CatalogCommit notStored = new CatalogCommit(absent, 4096, head.manifest().revision() + 1, 240,
                head.manifest().publishedSeconds(), List.of(absent));
        DirectorySnapshot before = DirectorySnapshot.of(layout.servedRoot());
        RepositoryException e = assertThrows(RepositoryException.class,
                () -> publisher().publish(Publication.of(head.manifest(), notStored, null)));
        assertEquals("root catalog " + absent + " is not in the storage of pub.example.org", e.getMessage());
        assertEquals(before, DirectorySnapshot.of(layout.servedRoot()));
    }

    @Test
    void concurrentPublicationsOnOneBaseLetExactlyOneWin() throws Exception {
        int writers = 6;
        List<CatalogCommit> commits = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            commits.add(nextCatalog(head.manifest(), "f" + i));
        }
        CyclicBarrier start = new CyclicBarrier(writers);
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        int won = 0;
        int moved = 0;
        try {
            List<Future<SignedManifest>> results = new ArrayList<>();
            for (CatalogCommit c : commits) {
                results.add(pool.submit(() -> {
                    start.await();
                    return publisher().publish(Publication.of(head.manifest(), c, null));
                }));
            }
            for (Future<SignedManifest> f : results) {
                try {
                    assertEquals(2, f.get().manifest().revision());
                    won++;
                } catch (ExecutionException e) {
                    assertTrue(e.getCause() instanceof HeadMovedException, e.getCause().toString());
                    moved++;
                }
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(1, won);
        assertEquals(writers - 1, moved);
        assertChecksClean();
    }

    @Test
    void keysOfAnotherRepositoryAreRefused() {
        RepositoryLayout other = new RepositoryLayout(layout.hostPaths(), "other.example.org");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new HeadPublisher(other,
                layout.keyDirectory().readRepositoryKeys(layout.fqrn()), LATER));
        assertEquals("keys of pub.example.org cannot publish other.example.org", e.getMessage());
    }

    /**
     * The state a crash after the manifest's replacement leaves (new manifest, old reflog and
     * checksum, the new reflog staged): recovery completes the publication from the staged copy.
     */
    @Test
    void recoveryCompletesAPublicationWhoseManifestWasReplaced() throws Exception {
        byte[] oldReflog = Files.readAllBytes(layout.reflog());
        byte[] oldChecksum = Files.readAllBytes(layout.reflogChecksum());
        SignedManifest published = publisher().publish(new Publication(head.manifest(),
                nextCatalog(head.manifest(), "a.txt"), "", "", List.of()));
        byte[] newReflog = Files.readAllBytes(layout.reflog());
        Files.write(layout.pendingReflog(), newReflog);
        Files.write(layout.reflog(), oldReflog);
        Files.write(layout.reflogChecksum(), oldChecksum);

        assertEquals(PendingReflog.Outcome.COMPLETED, HeadPublisher.recover(layout));

        assertTrue(java.util.Arrays.equals(newReflog, Files.readAllBytes(layout.reflog())));
        assertEquals(published.manifest().reflog().toText(), Files.readString(layout.reflogChecksum()));
        assertTrue(Files.notExists(layout.pendingReflog()));
        assertChecksClean();
        publisher().publish(new Publication(published.manifest(),
                nextCatalog(published.manifest(), "b.txt"), "", "", List.of()));
        assertChecksClean();
    }

    /** A reflog staged for a manifest that was never installed is dropped; the old head stays whole. */
    @Test
    void recoveryDropsTheStagedReflogOfAnUnpublishedRevision() throws Exception {
        byte[] before = Files.readAllBytes(layout.manifest());
        Files.createDirectories(layout.spoolDir());
        Files.write(layout.pendingReflog(), new byte[] {1, 2, 3});

        assertEquals(PendingReflog.Outcome.DISCARDED, HeadPublisher.recover(layout));
        assertTrue(Files.notExists(layout.pendingReflog()));
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(layout.manifest())));
        assertEquals(PendingReflog.Outcome.NOTHING, HeadPublisher.recover(layout));
        assertChecksClean();
    }
}
