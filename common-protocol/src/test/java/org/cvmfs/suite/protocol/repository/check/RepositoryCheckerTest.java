package org.cvmfs.suite.protocol.repository.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;
import org.cvmfs.suite.protocol.manifest.RsaKeyPairs;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.HeadPublisher;
import org.cvmfs.suite.protocol.repository.MkfsOptions;
import org.cvmfs.suite.protocol.repository.Publication;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.Stratum0Creator;
import org.cvmfs.suite.protocol.repository.Stratum0CreatorTest;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.testing.StaticHttpServer;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryCheckerTest {
    /** Inside the whitelist window of both fixtures (2026-11-25 .. 2026-12-25). */
    static final Clock INSIDE = Fixtures.WHITELISTS_VALID;
    static final Clock EXPIRED = Clock.fixed(Instant.parse("2026-12-25T04:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;

    private RepositoryChecker checker(Clock clock) {
        return new RepositoryChecker(clock, tmp.resolve("scratch"));
    }

    private static List<PublicKey> testLocalKey() {
        return List.of(new KeyDirectory(Fixtures.upstreamTestLocal().resolve("keys")).readMasterPublicKey("test.local"));
    }

    private static List<PublicKey> captureKey() {
        return List.of(new KeyDirectory(Fixtures.gatewayPublication().resolve("keys")).readMasterPublicKey("capture.test"));
    }

    private static Optional<ContentHash> checksum(Path file) throws IOException {
        return Optional.of(ContentHash.parse(Files.readString(file).strip(), ObjectSuffix.NONE));
    }

    private CheckReport checkTestLocal(Path served, Clock clock, CheckOptions options) {
        return checker(clock).check(new LocalRepositorySource(served), "test.local", testLocalKey(), options);
    }

    private static void assertPassed(CheckReport r) {
        assertTrue(r.passed(), () -> "faults: " + r.faults());
    }

    // ---- ground truth passes ----

    @Test
    void upstreamTestLocalPasses() throws Exception {
        Path served = Fixtures.upstreamTestLocal().resolve("served");
        CheckOptions options = CheckOptions.full().withReflogChecksum(
                checksum(Fixtures.upstreamTestLocal().resolve("server-config/reflog.chksum")));
        CheckReport r = checkTestLocal(served, INSIDE, options);
        assertPassed(r);
        assertEquals(3, r.revision());
        assertTrue(r.objectsChecked() > 10, "objects checked: " + r.objectsChecked());
        assertPassed(checkTestLocal(served, INSIDE, options.withoutObjects()));
    }

    @Test
    void upstreamTagIsChecked() {
        CheckReport r = checkTestLocal(Fixtures.upstreamTestLocal().resolve("served"), INSIDE,
                CheckOptions.full().withTag("v1.0"));
        assertPassed(r);
        assertEquals(2, r.revision());
    }

    @Test
    void unknownTagIsAHistoryFault() {
        CheckReport r = checkTestLocal(Fixtures.upstreamTestLocal().resolve("served"), INSIDE,
                CheckOptions.full().withTag("v9"));
        assertEquals(Optional.of(FaultKind.HISTORY), r.firstKind());
        assertTrue(r.faults().get(0).message().startsWith("no tag named 'v9' in history "), r.faults().toString());
    }

    @Test
    void gatewayFixtureStatesPass() throws Exception {
        for (String state : List.of("before", "after-a", "after-b")) {
            CheckReport r = checker(INSIDE).check(new LocalRepositorySource(Fixtures.gatewayPublication().resolve(state)),
                    "capture.test", captureKey(), CheckOptions.full());
            assertPassed(r);
        }
        Path afterB = Fixtures.gatewayPublication().resolve("after-b");
        CheckOptions withChecksum = CheckOptions.full().withReflogChecksum(
                checksum(Fixtures.gatewayPublication().resolve("server-config/gateway-side.reflog.chksum")));
        assertPassed(checker(INSIDE).check(new LocalRepositorySource(afterB), "capture.test", captureKey(), withChecksum));
        CheckReport tagged = checker(INSIDE).check(new LocalRepositorySource(afterB), "capture.test", captureKey(),
                CheckOptions.full().withTag("generic-2026-11-25T04:59:16.764Z"));
        assertPassed(tagged);
        assertEquals(2, tagged.revision());
    }

    @Test
    void checksOverHttp() {
        try (StaticHttpServer http = StaticHttpServer.serve(Fixtures.upstreamTestLocal())) {
            CheckReport r = checker(INSIDE).check(new org.cvmfs.suite.protocol.store.HttpRepositorySource(
                    http.url("served")), "test.local", testLocalKey(), CheckOptions.full());
            assertPassed(r);
        }
    }

    @Test
    void repositoryWrittenByMkfsPasses() {
        RepositoryLayout layout = new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "test.example.org");
        new Stratum0Creator(Stratum0CreatorTest.CLOCK).create(layout,
                new MkfsOptions(Stratum0CreatorTest.OWNER, HashAlgorithm.RMD160, false));
        DirectorySnapshot before = DirectorySnapshot.of(layout.hostPaths().prefix());
        CheckReport r = checker(Stratum0CreatorTest.CLOCK).checkLocal(layout, CheckOptions.full());
        assertPassed(r);
        assertEquals(1, r.revision());
        assertEquals(before, DirectorySnapshot.of(layout.hostPaths().prefix()));
    }

    // ---- hostile input: refused with the fault named, nothing changed ----

    private Path copyOfTestLocal() {
        Path served = DirectoryTree.copy(Fixtures.upstreamTestLocal().resolve("served"), tmp.resolve("served"));
        try (var walk = Files.walk(served)) {
            for (Path p : walk.toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "rw-r--r--"));
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return served;
    }

    /** Runs a full check on {@code served} and asserts that it changed nothing. */
    private CheckReport checkUnchanged(Path served, Clock clock, String fqrn) {
        DirectorySnapshot before = DirectorySnapshot.of(served);
        CheckReport r = checker(clock).check(new LocalRepositorySource(served), fqrn, testLocalKey(), CheckOptions.full());
        assertEquals(before, DirectorySnapshot.of(served), "check changed the repository");
        return r;
    }

    private static ContentHash fileObject(Path served, String path) {
        try (CatalogHierarchy h = CatalogHierarchy.open(new LocalRepositorySource(served),
                SignedManifest.parse(Files.readAllBytes(served.resolve(".cvmfspublished"))).manifest().rootCatalog(),
                served.getParent().resolve("lookup"))) {
            DirectoryEntry e = h.lookup(RepositoryPath.of(path)).orElseThrow();
            return e.hash();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void truncatedObjectIsAnObjectFault() throws Exception {
        Path served = copyOfTestLocal();
        ContentHash readme = fileObject(served, "/README.txt");
        Path object = served.resolve("data").resolve(readme.objectPath());
        byte[] bytes = Files.readAllBytes(object);
        Files.write(object, Arrays.copyOf(bytes, bytes.length / 2));
        CheckReport r = checkUnchanged(served, INSIDE, "test.local");
        assertEquals(List.of(FaultKind.OBJECT), r.faults().stream().map(CheckReport.Fault::kind).toList(), r.faults().toString());
        assertTrue(r.faults().get(0).message().startsWith("/README.txt: object " + readme + " is corrupt"),
                r.faults().get(0).message());
    }

    @Test
    void missingAndCorruptedObjectsAreAllListed() throws Exception {
        Path served = copyOfTestLocal();
        ContentHash readme = fileObject(served, "/README.txt");
        ContentHash a = fileObject(served, "/dir/a.txt");
        Files.delete(served.resolve("data").resolve(readme.objectPath()));
        Path other = served.resolve("data").resolve(a.objectPath());
        byte[] bytes = Files.readAllBytes(other);
        bytes[bytes.length - 1] ^= 1;
        Files.write(other, bytes);
        CheckReport r = checkUnchanged(served, INSIDE, "test.local");
        List<String> messages = r.faultsOf(FaultKind.OBJECT).stream().map(CheckReport.Fault::message).toList();
        assertTrue(messages.contains("/README.txt: object " + readme + " is missing"), messages.toString());
        assertTrue(messages.stream().anyMatch(m -> m.startsWith("/dir/a.txt: object " + a + " is corrupt")), messages.toString());
    }

    @Test
    void corruptedCatalogIsACatalogFault() throws Exception {
        Path served = copyOfTestLocal();
        ContentHash root = SignedManifest.parse(Files.readAllBytes(served.resolve(".cvmfspublished"))).manifest().rootCatalog();
        Path object = served.resolve("data").resolve(root.objectPath());
        byte[] bytes = Files.readAllBytes(object);
        bytes[bytes.length / 2] ^= 0x55;
        Files.write(object, bytes);
        CheckReport r = checkUnchanged(served, INSIDE, "test.local");
        assertEquals(Optional.of(FaultKind.CATALOG), r.firstKind(), r.faults().toString());
        assertTrue(r.faults().get(0).message().contains("cannot load") && r.faults().get(0).message().contains(root.toString()),
                r.faults().get(0).message());
    }

    @Test
    void manifestSignedByAnotherKeyIsATrustFault() throws Exception {
        Path served = copyOfTestLocal();
        Path manifestFile = served.resolve(".cvmfspublished");
        SignedManifest original = SignedManifest.parse(Files.readAllBytes(manifestFile));
        KeyPair intruder = RsaKeyPairs.generate();
        Files.write(manifestFile, SignedManifest.sign(original.manifest(), intruder.getPrivate()).toBytes());
        CheckReport r = checkUnchanged(served, INSIDE, "test.local");
        assertEquals(List.of(FaultKind.TRUST_CHAIN), r.faults().stream().map(CheckReport.Fault::kind).toList(), r.faults().toString());
        assertTrue(r.faults().get(0).message().startsWith("manifest signature does not verify with certificate"),
                r.faults().get(0).message());
    }

    @Test
    void wrongRepositoryNameIsATrustFault() {
        CheckReport r = checkUnchanged(copyOfTestLocal(), INSIDE, "other.local");
        assertEquals(Optional.of(FaultKind.TRUST_CHAIN), r.firstKind());
        assertEquals("manifest from " + tmp.resolve("served") + " is for repository 'test.local', expected 'other.local'",
                r.faults().get(0).message());
        assertTrue(r.faultsOf(FaultKind.REFLOG).stream().anyMatch(f -> f.message().contains("'test.local', not other.local")));
        assertTrue(r.faultsOf(FaultKind.HISTORY).stream().anyMatch(f -> f.message().contains("'test.local', not other.local")));
    }

    @Test
    void expiredWhitelistIsATrustFault() {
        CheckReport r = checkUnchanged(copyOfTestLocal(), EXPIRED, "test.local");
        assertEquals(List.of(FaultKind.TRUST_CHAIN), r.faults().stream().map(CheckReport.Fault::kind).toList());
        assertTrue(r.faults().get(0).message().startsWith("whitelist of test.local expired at 2026-12-25T04:30:48Z"),
                r.faults().get(0).message());
    }

    @Test
    void reflogNotMatchingItsDigestIsAReflogFault() throws Exception {
        Path served = copyOfTestLocal();
        Path reflog = served.resolve(".cvmfsreflog");
        Files.write(reflog, Files.readAllBytes(Fixtures.gatewayPublication().resolve("before/.cvmfsreflog")));
        CheckReport r = checkUnchanged(served, INSIDE, "test.local");
        assertEquals(Optional.of(FaultKind.REFLOG), r.firstKind(), r.faults().toString());
        assertTrue(r.faults().get(0).message().startsWith(".cvmfsreflog hashes to "), r.faults().get(0).message());
    }

    @Test
    void catalogWithAWrongCounterIsACatalogFault() throws Exception {
        RepositoryLayout layout = new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "test.example.org");
        Clock clock = Stratum0CreatorTest.CLOCK;
        SignedManifest head = new Stratum0Creator(clock).create(layout,
                new MkfsOptions(Stratum0CreatorTest.OWNER, HashAlgorithm.SHA1, false));
        ObjectStore store = new ObjectStore(layout.servedRoot());
        Path staged = tmp.resolve("bad.sqlite");
        Files.write(staged, Zlib.inflate(store.readStored(head.manifest().rootCatalog()), 1 << 30));
        try (SqliteFile db = SqliteFile.openWritable(staged)) {
            db.execute("UPDATE statistics SET value = value + 1 WHERE counter = 'self_regular'");
            db.execute("UPDATE properties SET value = '2' WHERE key = 'revision'");
        }
        byte[] tampered = Files.readAllBytes(staged);
        ContentHash bad = store.putCompressed(tampered, HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
        new HeadPublisher(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), clock)
                .publish(Publication.of(head.manifest(), new CatalogCommit(bad, tampered.length, 2,
                        head.manifest().ttlSeconds(), head.manifest().publishedSeconds(), List.of(bad)), null));

        DirectorySnapshot before = DirectorySnapshot.of(layout.hostPaths().prefix());
        CheckReport r = new RepositoryChecker(clock, tmp.resolve("scratch")).checkLocal(layout, CheckOptions.full());
        assertEquals(before, DirectorySnapshot.of(layout.hostPaths().prefix()));
        assertEquals(List.of(FaultKind.CATALOG), r.faults().stream().map(CheckReport.Fault::kind).toList(), r.faults().toString());
        assertTrue(r.faults().get(0).message().contains("counter self_regular"), r.faults().get(0).message());
    }

    @Test
    void missingManifestEndsTheCheckWithATrustFault() throws Exception {
        Path served = copyOfTestLocal();
        Files.delete(served.resolve(".cvmfspublished"));
        CheckReport r = checkUnchanged(served, INSIDE, "test.local");
        assertEquals(1, r.faults().size());
        assertTrue(r.faults().get(0).message().startsWith("manifest: root file .cvmfspublished is missing from "),
                r.faults().get(0).message());
    }
}
