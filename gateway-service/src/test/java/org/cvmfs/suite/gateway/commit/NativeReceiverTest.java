package org.cvmfs.suite.gateway.commit;

import org.cvmfs.suite.gateway.receiver.ReceiverException;
import org.cvmfs.suite.gateway.receiver.CommitResult;
import org.cvmfs.suite.gateway.receiver.TagSpec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.sync.CatalogChange;
import org.cvmfs.suite.protocol.sync.CatalogDiff;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import java.util.concurrent.atomic.AtomicInteger;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.testing.Published;
import org.cvmfs.suite.gateway.testing.RepositoryStates;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogTestAccess;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.HeadPublisher;
import org.cvmfs.suite.protocol.repository.Publication;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The receiver on its own, with publication A's objects already uploaded: what happens when
 * someone else publishes during the merge, and refusals that must leave the repository alone.
 * Plain JUnit on a host of its own (no Quarkus), so that mutation testing can run it per mutant.
 */
class NativeReceiverTest {
    static final ContentHash BEFORE_ROOT = ContentHash.parse("36648c0a923fdaca587f5440b541360c2d501ce3",
            ObjectSuffix.CATALOG);
    static final ContentHash A_PUBLISHER_ROOT = ContentHash.parse("eef5f225445aef7083aad5959208c27c80710da8",
            ObjectSuffix.CATALOG);
    /** Publication B as upstream's receiver saw it: based on upstream's root after A. */
    static final ContentHash A_ROOT = ContentHash.parse("65cb2f4851c2a8e44cf92151447d7e3157172db7", ObjectSuffix.CATALOG);
    static final ContentHash B_PUBLISHER_ROOT = ContentHash.parse("06eacfa1551a99cdd89affb3b9ad6217a0066b5f",
            ObjectSuffix.CATALOG);
    static final TagSpec TAG = new TagSpec("generic-2026-11-25T04:59:16Z", "");

    static TestHost host;
    static GatewaySettings settings;

    @TempDir
    Path scratch;

    RepositoryLayout layout;
    Published published;
    SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @BeforeAll
    static void startHost() {
        host = TestHost.create();
        settings = host.settings();
    }

    @AfterAll
    static void deleteHost() {
        host.delete();
    }

    @BeforeEach
    void publicationAUploaded() throws IOException {
        layout = RepositoryStates.reset(new RepositoryLayout(settings.host(), TestHost.REPO), "before");
        published = new Published(layout, scratch.resolve("read"));
        upload("after-a");
    }

    /** Puts the objects the fixture's {@code state} serves into the storage, as a publisher's payloads would. */
    private void upload(String state) throws IOException {
        Path upstream = Fixtures.gatewayPublication().resolve(state).resolve("data");
        try (var objects = Files.walk(upstream)) {
            for (Path object : objects.filter(Files::isRegularFile).toList()) {
                Path target = layout.dataDir().resolve(upstream.relativize(object).toString());
                Files.createDirectories(target.getParent());
                if (!Files.exists(target)) {
                    Files.copy(object, target);
                }
            }
        }
    }

    private static Lease lease(String path) {
        return new Lease("T".repeat(52) + "====", LeasePath.parse(path), "key1", Instant.now().plusSeconds(3600), 2,
                "vm");
    }

    private NativeReceiver receiver(Clock clock) {
        return new NativeReceiver(settings, clock, metrics);
    }

    /** What {@code cvmfs_server} publishing on the same host would do: a file added at the root. */
    private void publishElsewhere(String name) {
        Clock clock = Clock.systemUTC();
        try {
            Manifest head = SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest();
            ObjectStore store = new ObjectStore(layout.servedRoot());
            byte[] content = name.getBytes(StandardCharsets.UTF_8);
            ContentHash hash = store.putCompressed(content, HashAlgorithm.SHA1, ObjectSuffix.NONE);
            CatalogCommit commit;
            try (WritableCatalogManager catalogs = WritableCatalogManager.open(
                    new LocalRepositorySource(layout.servedRoot()), head.rootCatalog(), scratch.resolve("other"))) {
                catalogs.addFile(RepositoryPath.of("/" + name),
                        DirectoryEntry.regularFile(name, 0644, content.length, hash).build(), List.of());
                commit = catalogs.commit(store, HashAlgorithm.SHA1, clock);
            }
            new HeadPublisher(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), clock)
                    .publish(Publication.of(head, commit, null));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The system clock, which runs {@code hook} the first {@code times} times the receiver has just
     * read the head: when the manifest verifier asks whether the whitelist has expired.
     */
    private static Clock hooked(int times, Runnable hook) {
        AtomicInteger left = new AtomicInteger(times);
        return new Clock() {
            @Override
            public ZoneId getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                if (verifyingTheHead() && left.getAndDecrement() > 0) {
                    hook.run();
                }
                return Instant.now();
            }
        };
    }

    private static boolean verifyingTheHead() {
        return StackWalker.getInstance().walk(frames -> frames.anyMatch(
                f -> f.getClassName().equals(ManifestVerifier.class.getName())));
    }

    @Test
    void aHeadThatMovedDuringTheMergeIsMergedOntoOnce() throws IOException {
        AtomicInteger published = new AtomicInteger();
        Clock clock = hooked(1, () -> publishElsewhere("other-" + published.incrementAndGet() + ".txt"));
        CommitResult result = receiver(clock).commit(lease("capture.test/sw"), BEFORE_ROOT, A_PUBLISHER_ROOT, TAG);

        assertEquals(3, result.finalRevision(), "revision 2 was the other publication");
        Map<String, Map<String, Object>> expected = new TreeMap<>(CatalogTestAccess.expectedFacts("after-a"));
        Map<String, Map<String, Object>> actual = this.published.namespace();
        assertTrue(actual.containsKey("/other-1.txt"));
        actual.remove("/other-1.txt");
        assertEquals(expected, actual);
        assertEquals(1.0, metrics.counter("cvmfs_gateway_receiver_head_moved").count());
        assertTrue(this.published.check(Clock.systemUTC()).passed());
    }

    @Test
    void aHeadThatKeepsMovingIsRefused() {
        AtomicInteger published = new AtomicInteger();
        Clock clock = hooked(2, () -> publishElsewhere("other-" + published.incrementAndGet() + ".txt"));
        ReceiverException e = assertThrows(ReceiverException.class,
                () -> receiver(clock).commit(lease("capture.test/sw"), BEFORE_ROOT, A_PUBLISHER_ROOT, TAG));
        assertTrue(e.getMessage().startsWith("miscellaneous: head of capture.test moved"), e.getMessage());
        assertEquals(3, this.published.manifest().revision(), "both other publications stand");
        assertTrue(this.published.lookup("/sw").isEmpty());
    }

    @Test
    void aTrailingSlashInTheLeasePathIsTheSameLease() {
        assertEquals(2, receiver(Clock.systemUTC()).commit(lease("capture.test/sw/"), BEFORE_ROOT, A_PUBLISHER_ROOT,
                TAG).finalRevision());
        assertTrue(published.lookup("/sw/bin/run.sh").isPresent());
    }

    @Test
    void refusalsLeaveTheRepositoryAlone() {
        DirectorySnapshot before = DirectorySnapshot.of(layout.servedRoot());

        // the head's whitelist has expired: it cannot be verified, so nothing is built on it
        Clock afterExpiry = Clock.fixed(Instant.parse("2027-02-01T00:00:00Z"), ZoneOffset.UTC);
        ReceiverException expired = assertThrows(ReceiverException.class, () -> receiver(afterExpiry)
                .commit(lease("capture.test/sw"), BEFORE_ROOT, A_PUBLISHER_ROOT, TAG));
        assertTrue(expired.getMessage().startsWith("miscellaneous: "), expired.getMessage());
        assertTrue(expired.getMessage().contains("expired"), expired.getMessage());

        // a lease below a directory the head does not have: the additions have no parent
        ReceiverException orphan = assertThrows(ReceiverException.class, () -> receiver(Clock.systemUTC())
                .commit(lease("capture.test/sw/bin"), BEFORE_ROOT, A_PUBLISHER_ROOT, TAG));
        assertTrue(orphan.getMessage().startsWith("merge_error: /sw/bin"), orphan.getMessage());

        // the old and new roots swapped: removals of paths the head never had
        ReceiverException reversed = assertThrows(ReceiverException.class, () -> receiver(Clock.systemUTC())
                .commit(lease("capture.test/sw"), A_PUBLISHER_ROOT, BEFORE_ROOT, TAG));
        assertTrue(reversed.getMessage().startsWith("merge_error: "), reversed.getMessage());

        // a data object named as a root catalog
        ContentHash notACatalog = ContentHash.parse("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78", ObjectSuffix.CATALOG);
        ReceiverException missing = assertThrows(ReceiverException.class, () -> receiver(Clock.systemUTC())
                .commit(lease("capture.test/sw"), BEFORE_ROOT, notACatalog, TAG));
        assertTrue(missing.getMessage().startsWith("merge_error: new_root_hash e8ec3d88"), missing.getMessage());

        // a repository without keys on this host
        ReceiverException keyless = assertThrows(ReceiverException.class, () -> receiver(Clock.systemUTC())
                .commit(lease(TestHost.OTHER_REPO + "/"), BEFORE_ROOT, A_PUBLISHER_ROOT, TAG));
        assertTrue(keyless.getMessage().startsWith("miscellaneous: "), keyless.getMessage());

        assertEquals(before, DirectorySnapshot.of(layout.servedRoot()));
    }

    @Test
    void theTagIsNamedAsAskedOrNotAtAll() throws IOException {
        TagSpec named = new TagSpec("release-1", "first release");
        assertEquals(2, receiver(Clock.systemUTC()).commit(lease("capture.test/sw"), BEFORE_ROOT, A_PUBLISHER_ROOT,
                named).finalRevision());
        List<String> tags = published.tags().stream().map(t -> t.name() + "=" + t.description()).toList();
        assertTrue(tags.contains("release-1=first release"), tags.toString());

        publicationAUploaded(); // back to "before"
        receiver(Clock.systemUTC()).commit(lease("capture.test/sw"), BEFORE_ROOT, A_PUBLISHER_ROOT, new TagSpec("", ""));
        assertTrue(published.tags().stream().noneMatch(t -> t.name().isEmpty() || t.name().equals("release-1")),
                published.tags().toString());
    }

    @Test
    void aRootThatCannotBeOpenedLeavesNothingStaged() throws Exception {
        ContentHash garbage = new ObjectStore(layout.servedRoot()).putStored(
                Zlib.compress("not a catalog".getBytes(StandardCharsets.UTF_8)),
                HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
        DirectorySnapshot before = DirectorySnapshot.of(layout.servedRoot());
        ReceiverException e = assertThrows(ReceiverException.class, () -> receiver(Clock.systemUTC())
                .commit(lease("capture.test/sw"), garbage, A_PUBLISHER_ROOT, TAG));
        assertTrue(e.getMessage().startsWith("merge_error: "), e.getMessage());
        assertEquals(before, DirectorySnapshot.of(layout.servedRoot()));
        // the new root, opened beside the old one, is closed as soon as it has opened
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!staged().isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertEquals(List.of(), staged());
    }

    @Test
    void aCatalogDamagedInTheStorageIsRefusedUntilItIsWholeAgain() throws Exception {
        // another valid catalog under the publisher's root's name: only the hash of its bytes tells,
        // at the end of the streamed read
        Path object = layout.dataDir().resolve(A_PUBLISHER_ROOT.objectPath());
        byte[] whole = Files.readAllBytes(object);
        Files.copy(layout.dataDir().resolve(BEFORE_ROOT.objectPath()), object, StandardCopyOption.REPLACE_EXISTING);
        DirectorySnapshot before = DirectorySnapshot.of(layout.servedRoot());
        ReceiverException e = assertThrows(ReceiverException.class, () -> receiver(Clock.systemUTC())
                .commit(lease("capture.test/sw"), BEFORE_ROOT, A_PUBLISHER_ROOT, TAG));
        assertEquals("merge_error: object " + A_PUBLISHER_ROOT.toSuffixedText() + " does not hash to its name",
                e.getMessage());
        assertEquals(before, DirectorySnapshot.of(layout.servedRoot()));

        Files.write(object, whole);  // uploaded again
        assertEquals(2, receiver(Clock.systemUTC()).commit(lease("capture.test/sw"), BEFORE_ROOT, A_PUBLISHER_ROOT,
                TAG).finalRevision());
        assertTrue(published.lookup("/sw/bin/run.sh").isPresent());
    }

    private List<Path> staged() throws IOException {
        if (!Files.isDirectory(layout.tmpDir())) {
            return List.of();
        }
        try (var entries = Files.list(layout.tmpDir())) {
            return entries.filter(p -> p.getFileName().toString().startsWith("catalogs.")).toList();
        }
    }

    @Test
    void missingStorageOrRootsAreNamed() throws IOException {
        ContentHash absent = ContentHash.parse("0123456789abcdef0123456789abcdef01234567", ObjectSuffix.CATALOG);
        ReceiverException oldMissing = assertThrows(ReceiverException.class, () -> receiver(Clock.systemUTC())
                .commit(lease("capture.test/sw"), absent, A_PUBLISHER_ROOT, TAG));
        assertEquals("merge_error: old_root_hash " + absent.toSuffixedText() + " is not in the storage of capture.test;"
                + " upload its catalogs with a payload first", oldMissing.getMessage());

        DirectoryTree.delete(layout.servedRoot());
        ReceiverException noStorage = assertThrows(ReceiverException.class, () -> receiver(Clock.systemUTC())
                .commit(lease("capture.test/sw"), BEFORE_ROOT, A_PUBLISHER_ROOT, TAG));
        assertEquals("miscellaneous: repository capture.test has no storage at " + layout.servedRoot(),
                noStorage.getMessage());
    }

    /** The one line per commit that operators read: the changes by type and the time of each step. */
    @Test
    void theCommitLineCountsTheChangesAndTimesTheSteps() throws IOException {
        List<String> lines = new CopyOnWriteArrayList<>();
        Logger logger = Logger.getLogger(NativeReceiver.class.getName());
        Handler handler = new Handler() {
            @Override
            public void publish(LogRecord r) {
                Object[] p = r.getParameters();
                lines.add(p == null || p.length == 0 ? r.getMessage() : String.format(r.getMessage(), p));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        logger.addHandler(handler);
        try {
            long started = System.nanoTime();
            receiver(Clock.systemUTC()).commit(lease("capture.test/sw"), BEFORE_ROOT, A_PUBLISHER_ROOT, TAG);
            long publishA = (System.nanoTime() - started) / 1_000_000;
            upload("after-b");
            started = System.nanoTime();
            receiver(Clock.systemUTC()).commit(lease("capture.test/sw"), A_ROOT, B_PUBLISHER_ROOT, TAG);
            long publishB = (System.nanoTime() - started) / 1_000_000;

            List<String> commits = lines.stream().filter(l -> l.startsWith("commit merged:")).toList();
            assertEquals(2, commits.size(), lines.toString());
            assertEquals(counts(BEFORE_ROOT, A_PUBLISHER_ROOT), "added=" + field(commits.get(0), "added=", " catalogs_written="));
            assertEquals(counts(A_ROOT, B_PUBLISHER_ROOT), "added=" + field(commits.get(1), "added=", " catalogs_written="));
            assertTrue(counts(A_ROOT, B_PUBLISHER_ROOT).matches("added=[1-9]\\d* removed=[1-9]\\d* modified=[1-9]\\d*"),
                    "publication B adds, removes and modifies: " + counts(A_ROOT, B_PUBLISHER_ROOT));
            long[] limits = {publishA, publishB};
            for (int i = 0; i < 2; i++) {
                long merge = Long.parseLong(field(commits.get(i), "merge_ms=", " "));
                long publish = Long.parseLong(field(commits.get(i), "publish_ms=", " "));
                assertTrue(merge + publish <= limits[i], commits.get(i) + " within " + limits[i] + " ms");
                long steps = Long.parseLong(field(commits.get(i), "open_ms=", " "))
                        + Long.parseLong(field(commits.get(i), "diff_ms=", " "))
                        + Long.parseLong(field(commits.get(i), "write_ms=", null));
                assertTrue(steps <= merge, commits.get(i) + ": the merge's steps are part of it");
            }
        } finally {
            logger.removeHandler(handler);
        }
    }

    /** "added=A removed=R modified=M" of the diff inside /sw, counted here from the diff itself. */
    private String counts(ContentHash from, ContentHash to) {
        LocalRepositorySource source = new LocalRepositorySource(layout.servedRoot());
        try (CatalogHierarchy a = CatalogHierarchy.open(
                source, from, scratch.resolve("count"));
             CatalogHierarchy b = CatalogHierarchy.open(
                     source, to, scratch.resolve("count"))) {
            Map<CatalogChange.Type, Long> n = CatalogDiff
                    .changes(a, b, RepositoryPath.of("/sw")).stream()
                    .collect(Collectors.groupingBy(CatalogChange::type,
                            Collectors.counting()));
            return "added=" + n.getOrDefault(CatalogChange.Type.ADDITION, 0L)
                    + " removed=" + n.getOrDefault(CatalogChange.Type.REMOVAL, 0L)
                    + " modified=" + n.getOrDefault(CatalogChange.Type.MODIFICATION, 0L);
        }
    }

    private static String field(String line, String start, String end) {
        int from = line.indexOf(start);
        assertTrue(from >= 0, line);
        int to = end == null ? line.length() : line.indexOf(end, from + start.length());
        return line.substring(from + start.length(), to);
    }
}
