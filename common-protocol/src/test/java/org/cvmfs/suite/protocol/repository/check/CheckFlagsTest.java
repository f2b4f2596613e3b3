package org.cvmfs.suite.protocol.repository.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.MkfsOptions;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryOwner;
import org.cvmfs.suite.protocol.repository.Stratum0Creator;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code cvmfs_server check}'s flags beyond {@code -c} and {@code -t}: {@code -r}, {@code -R}, {@code -i}, {@code -s}, {@code -a}. */
class CheckFlagsTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    private RepositoryLayout layout;
    private Manifest head;

    @BeforeEach
    void mkfs() {
        layout = new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "flags.example.org");
        head = new Stratum0Creator(CLOCK).create(layout, new MkfsOptions(new RepositoryOwner("cvmfs", 1, 1),
                HashAlgorithm.SHA1, false)).manifest();
    }

    private CheckReport check(CheckOptions options) {
        return new RepositoryChecker(CLOCK, tmp.resolve("scratch")).checkLocal(layout, options);
    }

    @Test
    void repairRestoresAWrongOrMissingReflogChecksumAndSaysSo() throws Exception {
        Files.writeString(layout.reflogChecksum(), "0000000000000000000000000000000000000000");
        assertEquals(List.of(FaultKind.REFLOG), check(CheckOptions.full()).faults().stream()
                .map(CheckReport.Fault::kind).distinct().toList());

        List<String> actions = ReflogRepair.repair(layout, CLOCK);
        assertEquals(List.of("restored reflog checksum as " + head.reflog().toText()
                + " (was: 0000000000000000000000000000000000000000)"), actions);
        assertTrue(check(CheckOptions.full()).passed());

        Files.delete(layout.reflogChecksum());
        assertEquals(List.of("re-created missing reflog checksum as " + head.reflog().toText()),
                ReflogRepair.repair(layout, CLOCK));
        assertEquals(List.of(), ReflogRepair.repair(layout, CLOCK), "nothing left to repair");
    }

    @Test
    void repairFinishesAPublicationACrashInterrupted() throws Exception {
        byte[] reflog = Files.readAllBytes(layout.reflog());
        Files.write(layout.pendingReflog(), reflog);
        Files.write(layout.reflog(), new byte[] {1, 2});
        assertFalse(check(CheckOptions.full()).passed());
        assertEquals(List.of("completed the publication a crash interrupted (reflog and reflog.chksum put in place)"),
                ReflogRepair.repair(layout, CLOCK));
        assertTrue(check(CheckOptions.full()).passed());
    }

    /** A Stratum-1 keeps the Stratum-0's manifest and its own reflog, named by its own checksum file. */
    @Test
    void aReplicasOwnReflogIsCheckedAgainstTheGivenChecksum() throws Exception {
        Reflog own = Reflog.create(tmp, layout.fqrn());
        for (ContentHash h : List.of(head.rootCatalog(), head.certificate(), head.history(), head.metaInfo())) {
            own.add(h, CLOCK.instant());
        }
        byte[] replicaReflog = own.closeAndRead();
        Files.write(layout.reflog(), replicaReflog);
        ContentHash digest = Reflog.digestOf(replicaReflog, HashAlgorithm.SHA1);

        assertFalse(check(CheckOptions.full()).passed(), "as a Stratum-0 the reflog no longer matches Y");
        CheckReport replica = check(CheckOptions.full().withReplicaReflog(digest));
        assertTrue(replica.passed(), () -> replica.faults().toString());
        CheckReport wrong = check(CheckOptions.full().withReplicaReflog(head.reflog()));
        assertEquals(FaultKind.REFLOG, wrong.firstKind().orElseThrow());
    }

    @Test
    void theStorageScrubFindsACorruptObjectNoRevisionReferences() throws Exception {
        assertTrue(check(CheckOptions.full().withStorageScrub()).passed());
        ObjectStore store = new ObjectStore(layout.servedRoot());
        ContentHash orphan = store.putCompressed("unreferenced".getBytes(), HashAlgorithm.SHA1, ObjectSuffix.NONE);
        Files.writeString(store.pathOf(orphan), "bit rot");
        assertTrue(check(CheckOptions.full()).passed(), "the plain check walks referenced objects only");
        CheckReport scrubbed = check(CheckOptions.full().withStorageScrub());
        assertEquals(List.of("storage: data/" + orphan.objectPath() + " does not hash to its name"),
                scrubbed.faults().stream().map(CheckReport.Fault::message).toList());
        assertEquals(FaultKind.OBJECT, scrubbed.firstKind().orElseThrow());
    }

    @Test
    void aSubtreeCheckWalksTheObjectsBelowItsPathOnly() throws Exception {
        ContentHash file = head.rootCatalog(); // any referenced data object: the new_repository file
        ObjectStore store = new ObjectStore(layout.servedRoot());
        Path newRepository;
        try (var walk = Files.walk(layout.dataDir())) {
            newRepository = walk.filter(p -> p.getFileName().toString().length() == 38).findFirst().orElseThrow();
        }
        Files.delete(newRepository);
        assertEquals(FaultKind.OBJECT, check(CheckOptions.full()).firstKind().orElseThrow());
        Files.createDirectories(layout.tmpDir());
        CheckReport subtree = check(CheckOptions.full().withSubtree(RepositoryPath.of("/nowhere")));
        assertTrue(subtree.faults().stream().noneMatch(f -> f.kind() == FaultKind.OBJECT), subtree.faults()::toString);
        assertTrue(store.contains(file));
    }

    @Test
    void allRepositoriesOfTheHostAreListed() {
        RepositoryLayout second = new RepositoryLayout(layout.hostPaths(), "second.example.org");
        new Stratum0Creator(CLOCK).create(second, new MkfsOptions(new RepositoryOwner("cvmfs", 1, 1),
                HashAlgorithm.SHA1, false));
        assertEquals(List.of(layout, second), RepositoryChecker.localRepositories(layout.hostPaths()));
    }
}
