package org.cvmfs.suite.protocol.repository.gc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
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
import org.cvmfs.suite.protocol.repository.RepositoryException;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryOwner;
import org.cvmfs.suite.protocol.repository.Stratum0Creator;
import org.cvmfs.suite.protocol.repository.check.CheckOptions;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.repository.check.RepositoryChecker;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A small garbage-collectable store with four revisions, and publications that failed in every
 * phase in between (data uploaded only; data and catalogs uploaded, never committed; a commit
 * killed after its history was stored and its reflog staged; upload and commit scratch left
 * behind). After {@code gc -r 1} the kept revisions check complete and {@code data/} holds
 * exactly what they need, object for object.
 */
class GarbageCollectorTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
    private static final RepositoryOwner OWNER = new RepositoryOwner("cvmfs", 1234, 5678);

    @TempDir
    Path tmp;
    private RepositoryLayout layout;
    private ObjectStore store;
    private Manifest head;
    private final List<Manifest> revisions = new ArrayList<>();

    @BeforeEach
    void mkfs() {
        layout = new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "gc.example.org");
        head = new Stratum0Creator(CLOCK).create(layout, new MkfsOptions(OWNER, HashAlgorithm.SHA1, true)).manifest();
        store = new ObjectStore(layout.servedRoot());
        revisions.add(head);
    }

    /** Data objects (no suffix) in the store: right after mkfs, those of its tagged revision 1. */
    private Set<String> dataObjects() throws IOException {
        return storeContents().stream().filter(p -> p.length() == 41).collect(Collectors.toCollection(TreeSet::new));
    }

    private HeadPublisher publisher() {
        return new HeadPublisher(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), CLOCK);
    }

    private ContentHash put(String content) {
        return store.putCompressed(content.getBytes(StandardCharsets.UTF_8), HashAlgorithm.SHA1, ObjectSuffix.NONE);
    }

    /** Writes the catalogs of {@code head} with {@code edits} applied, without publishing them. */
    private CatalogCommit catalogs(String[][] edits) {
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(
                new LocalRepositorySource(layout.servedRoot()), head.rootCatalog(), tmp.resolve("staging"))) {
            for (String[] edit : edits) {
                RepositoryPath path = RepositoryPath.ROOT.child(edit[0]);
                if (edit[1] == null) {
                    catalogs.remove(path);
                    continue;
                }
                ContentHash hash = put(edit[1]);
                DirectoryEntry e = DirectoryEntry.regularFile(edit[0], 0644, edit[1].length(), hash).mtime(1).build();
                if (catalogs.lookup(path).isPresent()) {
                    catalogs.replaceFile(path, e, List.of());
                } else {
                    catalogs.addFile(path, e, List.of());
                }
            }
            return catalogs.commit(store, HashAlgorithm.SHA1, CLOCK);
        }
    }

    private void publish(String[][] edits) {
        CatalogCommit commit = catalogs(edits);
        head = publisher().publish(new Publication(head, commit, "", "", List.of())).manifest();
        revisions.add(head);
    }

    private Set<String> storeContents() throws IOException {
        try (Stream<Path> walk = Files.walk(layout.dataDir())) {
            return walk.filter(Files::isRegularFile)
                    .map(p -> layout.dataDir().relativize(p).toString())
                    .filter(p -> !p.startsWith("txn/"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    private CheckReport check(CheckOptions options) {
        return new RepositoryChecker(CLOCK, tmp.resolve("check")).checkLocal(layout, options);
    }

    /** Fills the store: 4 revisions and a failed publication of each kind in between. */
    private void fill() throws IOException {
        publish(new String[][] {{"a", "a1"}});
        put("orphan: data uploaded, lease dropped");
        publish(new String[][] {{"a", "a2"}, {"b", "b1"}});
        catalogs(new String[][] {{"x", "orphan: data and catalog uploaded, commit failed"}});
        // a commit killed inside the publication: history stored, reflog staged, manifest untouched
        store.putCompressed("history of a revision never published".getBytes(), HashAlgorithm.SHA1,
                ObjectSuffix.HISTORY);
        Files.write(layout.pendingReflog(), new byte[] {1, 2, 3});
        publish(new String[][] {{"b", null}, {"c", "c1"}});
        Files.writeString(layout.dataDir().resolve("txn/upload.killed"), "partial upload");
        Files.createDirectories(layout.tmpDir().resolve("catalogs.killed-commit")).resolve("x.sqlite");
        Files.writeString(layout.tmpDir().resolve("catalogs.killed-commit/x.sqlite"), "scratch");
        // all of it written a day before the collection runs (the test clock stands still)
        java.nio.file.attribute.FileTime dayBefore = java.nio.file.attribute.FileTime.from(
                CLOCK.instant().minus(Duration.ofDays(1)));
        for (Path root : List.of(layout.dataDir(), layout.tmpDir())) {
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.toList()) {
                    Files.setLastModifiedTime(p, dayBefore);
                }
            }
        }
    }

    @Test
    void keepsExactlyWhatTheKeptRevisionsNeed() throws IOException {
        Set<String> expected = new TreeSet<>(dataObjects());
        Manifest tagged = revisions.get(0);
        expected.add(tagged.rootCatalog().objectPath());
        fill();
        Manifest previous = revisions.get(revisions.size() - 2);
        for (ContentHash h : List.of(head.rootCatalog(), previous.rootCatalog(), head.certificate(), head.history(),
                head.metaInfo(), put("a2"), put("b1"), put("c1"))) {
            expected.add(h.objectPath());
        }
        Set<String> before = storeContents();
        assertTrue(before.containsAll(expected));

        List<String> listed = new ArrayList<>();
        GcReport report = new GarbageCollector(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), CLOCK)
                .collect(GcOptions.keepRevisions(1, Duration.ZERO), listed::add, () -> false);

        assertEquals(expected, storeContents());
        assertEquals(before.size() - expected.size(), report.deletedObjects());
        assertEquals(new TreeSet<>(listed), new TreeSet<>(before) {{ removeAll(expected); }});
        // the head, -r 1, and mkfs's revision 1, which carries a generic tag (tags are always kept)
        assertEquals(List.of(head.rootCatalog(), previous.rootCatalog(), tagged.rootCatalog()),
                report.keptRootCatalogs());
        assertEquals(2, report.condemnedRootCatalogs().size(), "mkfs's revision 0 and the first publication");
        assertTrue(Files.notExists(layout.dataDir().resolve("txn/upload.killed")));
        assertTrue(Files.notExists(layout.tmpDir().resolve("catalogs.killed-commit")));
        assertTrue(Files.notExists(layout.pendingReflog()));

        CheckReport headCheck = check(CheckOptions.full());
        assertTrue(headCheck.passed(), () -> headCheck.faults().toString());
        CheckReport previousCheck = check(CheckOptions.full().withTag("trunk-previous"));
        assertTrue(previousCheck.passed(), () -> previousCheck.faults().toString());
        Manifest resigned = SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest();
        assertEquals(head.revision(), resigned.revision());
        assertEquals(head.rootCatalog(), resigned.rootCatalog());
        try (Reflog reflog = Reflog.open(Files.readAllBytes(layout.reflog()), tmp)) {
            for (Reflog.Entry e : reflog.entries()) {
                assertTrue(store.contains(e.object()), "the reflog lists only what is stored: " + e.object());
            }
        }

        // the repository goes on: publish, collect again, still complete
        head = resigned;
        publish(new String[][] {{"d", "d1"}});
        new GarbageCollector(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), CLOCK)
                .collect(GcOptions.keepRevisions(0, Duration.ZERO), s -> { }, () -> false);
        assertFalse(storeContents().contains(ContentHash.compute(HashAlgorithm.SHA1,
                new byte[0], ObjectSuffix.NONE).objectPath()));
        CheckReport after = check(CheckOptions.full());
        assertTrue(after.passed(), () -> after.faults().toString());
    }

    @Test
    void aDryRunDeletesNothingAndReportsTheSame() throws IOException {
        fill();
        Set<String> before = storeContents();
        byte[] manifest = Files.readAllBytes(layout.manifest());
        GarbageCollector gc = new GarbageCollector(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()),
                CLOCK);
        GcReport dry = gc.collect(GcOptions.keepRevisions(1, Duration.ZERO).asDryRun(), s -> { }, () -> false);
        assertEquals(before, storeContents());
        assertTrue(java.util.Arrays.equals(manifest, Files.readAllBytes(layout.manifest())));
        GcReport real = gc.collect(GcOptions.keepRevisions(1, Duration.ZERO), s -> { }, () -> false);
        assertEquals(dry.deletedObjects(), real.deletedObjects());
    }

    @Test
    void theGracePeriodSparesWhatAPublicationMayStillBeWriting() throws IOException {
        fill();
        Set<String> before = storeContents();
        new GarbageCollector(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), CLOCK)
                .collect(GcOptions.keepRevisions(1, Duration.ofDays(3650)), s -> { }, () -> false);
        assertEquals(before, storeContents());
        assertTrue(Files.exists(layout.dataDir().resolve("txn/upload.killed")));
    }

    @Test
    void aStoppedRunLeavesKeptRevisionsComplete() throws IOException {
        fill();
        int[] polls = {0};
        GarbageCollector.StoppedException stopped = assertThrows(GarbageCollector.StoppedException.class,
                () -> new GarbageCollector(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), CLOCK)
                        .collect(GcOptions.keepRevisions(1, Duration.ZERO), s -> { }, () -> ++polls[0] > 2));
        assertEquals(2, stopped.partial().deletedObjects());
        CheckReport r = check(CheckOptions.full());
        assertTrue(r.passed(), () -> r.faults().toString());
    }

    @Test
    void refusesARepositoryThatIsNotGarbageCollectable() {
        RepositoryLayout plain = new RepositoryLayout(HostPaths.under(tmp.resolve("plain")), "plain.example.org");
        new Stratum0Creator(CLOCK).create(plain, new MkfsOptions(OWNER, HashAlgorithm.SHA1, false));
        RepositoryException e = assertThrows(RepositoryException.class, () -> new GarbageCollector(plain,
                plain.keyDirectory().readRepositoryKeys(plain.fqrn()), CLOCK)
                .collect(GcOptions.keepRevisions(0, Duration.ZERO), s -> { }, () -> false));
        assertEquals("Garbage Collection is not enabled for plain.example.org", e.getMessage());
    }
}
