package org.cvmfs.suite.protocol.repository.check;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.manifest.Manifest;
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
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three checker rules set beside upstream's check (cvmfs/swissknife_check.cc), each on a
 * repository published to show it: a catalog row no listing reaches is only a warning (upstream
 * does not count rows; clients never see the row), while a special file of non-zero size and an
 * abandoned {@code .cvmfscatalog} marker stay faults, as upstream's check reports both.
 */
class UpstreamCheckRulesTest {
    private static final Clock CLOCK = Stratum0CreatorTest.CLOCK;

    @TempDir
    Path tmp;
    private RepositoryLayout layout;
    private ObjectStore store;
    private Manifest head;

    @BeforeEach
    void repositoryWithADirectory() {
        layout = new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "rules.example.org");
        head = new Stratum0Creator(CLOCK).create(layout, new MkfsOptions(Stratum0CreatorTest.OWNER, HashAlgorithm.SHA1,
                false)).manifest();
        store = new ObjectStore(layout.servedRoot());
        CatalogCommit commit;
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(
                new LocalRepositorySource(layout.servedRoot()), head.rootCatalog(), tmp.resolve("staging"))) {
            catalogs.addDirectory(RepositoryPath.of("/d"), DirectoryEntry.directory("d", 0755).mtime(1).build());
            ContentHash hash = store.putCompressed("m".getBytes(), HashAlgorithm.SHA1, ObjectSuffix.NONE);
            catalogs.addFile(RepositoryPath.of("/d/m"), DirectoryEntry.regularFile("m", 0644, 1, hash).mtime(1).build(),
                    List.of());
            commit = catalogs.commit(store, HashAlgorithm.SHA1, CLOCK);
        }
        head = publisher().publish(Publication.of(head, commit, null)).manifest();
        assertTrue(check().passed(), () -> check().faults().toString());
    }

    private HeadPublisher publisher() {
        return new HeadPublisher(layout, layout.keyDirectory().readRepositoryKeys(layout.fqrn()), CLOCK);
    }

    private CheckReport check() {
        return new RepositoryChecker(CLOCK, tmp.resolve("scratch")).checkLocal(layout, CheckOptions.full());
    }

    /** Publishes the head's root catalog changed by {@code sql} (and its revision raised), as a broken writer would. */
    private void publishTampered(String... sql) throws Exception {
        Path staged = tmp.resolve("tampered.sqlite");
        Files.write(staged, Zlib.inflate(store.readStored(head.rootCatalog()), 1 << 30));
        try (SqliteFile db = SqliteFile.openWritable(staged)) {
            for (String s : sql) {
                db.execute(s);
            }
            db.execute("UPDATE properties SET value = '" + (head.revision() + 1) + "' WHERE key = 'revision'");
        }
        byte[] tampered = Files.readAllBytes(staged);
        ContentHash bad = store.putCompressed(tampered, HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
        head = publisher().publish(Publication.of(head, new CatalogCommit(bad, tampered.length, head.revision() + 1,
                head.ttlSeconds(), head.publishedSeconds(), List.of(bad)), null)).manifest();
        Files.delete(staged);
    }

    private static String key(String path) {
        PathHash h = RepositoryPath.of(path).pathHash();
        return "md5path_1 = " + h.high() + " AND md5path_2 = " + h.low();
    }

    @Test
    void anOrphanRowIsAWarningAndTheCheckPasses() throws Exception {
        PathHash ghost = RepositoryPath.of("/nowhere/ghost").pathHash();
        PathHash parent = RepositoryPath.of("/nowhere").pathHash();
        publishTampered("INSERT INTO catalog SELECT " + ghost.high() + ", " + ghost.low() + ", " + parent.high() + ", "
                + parent.low() + ", hardlinks, hash, size, mode, mtime, mtimens, flags, 'ghost', symlink, uid, gid, xattr"
                + " FROM catalog WHERE " + key("/d/m"));
        CheckReport r = check();
        assertTrue(r.passed(), r.faults().toString());
        assertEquals(1, r.warnings().size(), r.warnings().toString());
        assertTrue(r.warnings().get(0).contains("orphan row 'ghost'"), r.warnings().get(0));
    }

    @Test
    void aSpecialFileOfNonZeroSizeIsAFaultAsUpstreamsCheckSays() throws Exception {
        publishTampered("UPDATE catalog SET mode = " + (0010000 | 0644) + ", flags = 20, hash = NULL WHERE " + key("/d/m"),
                "UPDATE statistics SET value = value - 1 WHERE counter IN ('self_regular', 'self_file_size')",
                "UPDATE statistics SET value = value + 1 WHERE counter = 'self_special'");
        CheckReport r = check();
        assertEquals(List.of("catalog: root catalog (" + head.rootCatalog().withSuffix(ObjectSuffix.CATALOG).toSuffixedText()
                + "): /d/m: special file has size 1, expected 0"), r.faults().stream().map(Object::toString).toList());
        assertEquals(FaultKind.CATALOG, r.firstKind().orElseThrow());
    }

    @Test
    void anAbandonedCatalogMarkerIsAFaultAsUpstreamsCheckSays() throws Exception {
        PathHash marker = RepositoryPath.of("/d/.cvmfscatalog").pathHash();
        publishTampered("UPDATE catalog SET name = '.cvmfscatalog', md5path_1 = " + marker.high() + ", md5path_2 = "
                + marker.low() + " WHERE " + key("/d/m"));
        CheckReport r = check();
        assertEquals(FaultKind.CATALOG, r.firstKind().orElseThrow());
        assertTrue(r.faults().stream().anyMatch(f -> f.message().endsWith(
                "/d/.cvmfscatalog: abandoned .cvmfscatalog marker outside a catalog root")), r.faults().toString());
        assertEquals(List.of(), r.warnings());
    }
}
