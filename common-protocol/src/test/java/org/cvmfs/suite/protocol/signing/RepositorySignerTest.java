package org.cvmfs.suite.protocol.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.history.TagTarget;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.manifest.RepositoryKeys;
import org.cvmfs.suite.protocol.manifest.RsaKeyPairs;
import org.cvmfs.suite.protocol.manifest.SignedWhitelist;
import org.cvmfs.suite.protocol.manifest.VerifiedManifest;
import org.cvmfs.suite.protocol.manifest.Whitelist;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositorySignerTest {
    private static final String FQRN = "test.example.org";
    private static final Clock FIRST = Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC);
    private static final Clock SECOND = Clock.fixed(Instant.parse("2026-12-02T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path tmp;
    private Path repo;
    private ObjectStore store;
    private static RepositoryKeys keys;
    private static KeyPair master;

    @BeforeAll
    static void generateKeys() {
        keys = RepositoryKeys.generate(FQRN, FIRST);
        master = RsaKeyPairs.generate();
    }

    @BeforeEach
    void setUp() {
        repo = tmp.resolve("srv/" + FQRN);
        store = new ObjectStore(repo);
        store.createSkeleton();
    }

    private ContentHash catalog(String content) {
        return store.putCompressed(content.getBytes(), HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
    }

    private void publish(SignedPublication p) throws Exception {
        Files.write(repo.resolve(Reflog.FILE_NAME), p.reflog());
        Files.write(repo.resolve(ManifestVerifier.MANIFEST_FILE), p.manifest().toBytes());
    }

    @Test
    void signsAPublicationThatVerifiesLikeAClientWould() throws Exception {
        ContentHash root = catalog("root catalog revision 1");
        ContentHash publisherRoot = catalog("publisher's own root catalog");
        ContentHash meta = store.putCompressed("{}".getBytes(), HashAlgorithm.SHA1, ObjectSuffix.META_INFO);
        ContentHash history;
        try (TagDatabase tags = TagDatabase.create(tmp.resolve("work"), FQRN)) {
            tags.recordPublication(new TagTarget(root, 1, 1795600000L, 16384), "generic-x", "", FIRST);
            history = tags.store(store, HashAlgorithm.SHA1);
        }
        Manifest unsigned = new Manifest(root, 16384, 240, 1, false, false, FQRN, null, history, -1, meta, null);

        SignedPublication p;
        try (Reflog reflog = Reflog.create(tmp.resolve("work"), FQRN)) {
            p = new RepositorySigner(keys, store, FIRST).sign(unsigned, reflog, List.of(publisherRoot));
        }
        publish(p);
        Files.write(repo.resolve(ManifestVerifier.WHITELIST_FILE), SignedWhitelist.sign(
                Whitelist.create(FQRN, keys.certificate(), FIRST), master.getPrivate(), HashAlgorithm.SHA1).toBytes());

        VerifiedManifest v = new ManifestVerifier(List.of(master.getPublic()), FIRST)
                .verify(new LocalRepositorySource(repo), FQRN);
        Manifest m = v.manifest();
        assertEquals(FIRST.instant().getEpochSecond(), m.publishedSeconds());
        assertEquals(Reflog.digestOf(p.reflog(), HashAlgorithm.SHA1), m.reflog());
        assertEquals(history, m.history());
        assertArrayEquals(keys.certificate().pem(), Zlib.inflate(store.readStored(m.certificate()), 1 << 20));
        try (Reflog back = Reflog.fetch(new LocalRepositorySource(repo), m.reflog(), tmp.resolve("work"))) {
            for (ContentHash h : List.of(root, publisherRoot, m.certificate(), history, meta)) {
                assertTrue(back.contains(h), h.toString());
            }
            assertEquals(5, back.entries().size());
        }
    }

    @Test
    void reSigningAccumulatesTheReflogAndReusesTheCertificateObject() throws Exception {
        ContentHash first = catalog("revision 1");
        Manifest m1 = new Manifest(first, 100, 240, 1, false, false, FQRN, null, null, -1, null, null);
        SignedPublication p1;
        try (Reflog reflog = Reflog.create(tmp.resolve("work"), FQRN)) {
            p1 = new RepositorySigner(keys, store, FIRST).sign(m1, reflog, List.of());
        }
        publish(p1);

        ContentHash second = catalog("revision 2");
        Manifest m2 = p1.manifest().manifest().withRootCatalog(second, 200, 2);
        SignedPublication p2;
        try (Reflog reflog = Reflog.fetch(new LocalRepositorySource(repo), p1.manifest().manifest().reflog(),
                tmp.resolve("work"))) {
            p2 = new RepositorySigner(keys, store, SECOND).sign(m2, reflog, List.of());
        }
        assertEquals(p1.manifest().manifest().certificate(), p2.manifest().manifest().certificate());
        assertEquals(SECOND.instant().getEpochSecond(), p2.manifest().manifest().publishedSeconds());
        try (Reflog back = Reflog.open(p2.reflog(), tmp.resolve("work"))) {
            assertTrue(back.contains(first));
            assertTrue(back.contains(second));
            assertEquals(3, back.entries().size());
        }
        p2.manifest().verify(keys.certificate());
    }

    @Test
    void refusesKeysOrReflogOfAnotherRepository() {
        ContentHash root = catalog("x");
        Manifest other = new Manifest(root, 1, 240, 1, false, false, "other.example.org", null, null, -1, null, null);
        try (Reflog reflog = Reflog.create(tmp.resolve("work"), FQRN)) {
            ManifestException e = assertThrows(ManifestException.class,
                    () -> new RepositorySigner(keys, store, FIRST).sign(other, reflog, List.of()));
            assertEquals("keys of test.example.org cannot sign the manifest of other.example.org", e.getMessage());
        }
        Manifest mine = new Manifest(root, 1, 240, 1, false, false, FQRN, null, null, -1, null, null);
        try (Reflog reflog = Reflog.create(tmp.resolve("work"), "other.example.org")) {
            ManifestException e = assertThrows(ManifestException.class,
                    () -> new RepositorySigner(keys, store, FIRST).sign(mine, reflog, List.of()));
            assertEquals("reflog of other.example.org cannot be used for test.example.org", e.getMessage());
        }
    }
}
