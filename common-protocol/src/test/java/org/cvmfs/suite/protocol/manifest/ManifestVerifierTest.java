package org.cvmfs.suite.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.MissingObjectException;
import org.cvmfs.suite.protocol.store.MissingRootFileException;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ManifestVerifierTest {
    private static final Clock INSIDE = Fixtures.WHITELISTS_VALID;
    private static final Clock AFTER = Clock.fixed(Instant.parse("2026-12-25T04:00:00Z"), ZoneOffset.UTC);
    private static KeyDirectory fixtureKeys;
    private static PublicKey masterPublic;
    private static KeyPair master;

    @TempDir
    Path tmp;
    private Path repo;

    @BeforeAll
    static void keys() {
        fixtureKeys = new KeyDirectory(Fixtures.upstreamTestLocal().resolve("keys"));
        masterPublic = fixtureKeys.readMasterPublicKey("test.local");
        master = fixtureKeys.readMasterKey("test.local");
    }

    @BeforeEach
    void copyRepository() {
        repo = DirectoryTree.copy(Fixtures.upstreamTestLocal().resolve("served"), tmp.resolve("repo"));
    }

    private VerifiedManifest verify(Clock clock, List<PublicKey> keys, String fqrn) {
        return new ManifestVerifier(keys, clock).verify(new LocalRepositorySource(repo), fqrn);
    }

    private ManifestException refused(Clock clock, List<PublicKey> keys, String fqrn) {
        return assertThrows(ManifestException.class, () -> verify(clock, keys, fqrn));
    }

    @Test
    void verifiesUpstreamRepository() {
        VerifiedManifest v = verify(INSIDE, List.of(masterPublic), "test.local");
        assertEquals(3, v.manifest().revision());
        assertEquals("CN=test.local CernVM-FS Release Managers", v.certificate().subject());
        assertEquals("test.local", v.whitelist().whitelist().repositoryName());
    }

    @Test
    void refusesWrongRepositoryName() {
        ManifestException e = refused(INSIDE, List.of(masterPublic), "other.local");
        assertTrue(e.getMessage().endsWith("is for repository 'test.local', expected 'other.local'"), e.getMessage());
    }

    @Test
    void refusesExpiredWhitelist() {
        ManifestException e = refused(AFTER, List.of(masterPublic), "test.local");
        assertTrue(e.getMessage().startsWith("whitelist of test.local expired"), e.getMessage());
    }

    @Test
    void refusesWhitelistOfAnotherMasterKey() {
        ManifestException e = refused(INSIDE, List.of(RsaKeyPairs.generate().getPublic()), "test.local");
        assertTrue(e.getMessage().contains("does not verify with any of the 1 master public key(s)"), e.getMessage());
    }

    @Test
    void refusesCertificateNotListed() throws Exception {
        RepositoryKeys intruder = RepositoryKeys.generate("test.local", INSIDE);
        // a whitelist properly signed by the master key, but for another certificate
        Whitelist other = Whitelist.create("test.local", intruder.certificate(), INSIDE);
        Files.write(repo.resolve(".cvmfswhitelist"),
                SignedWhitelist.sign(other, master.getPrivate(), HashAlgorithm.SHA1).toBytes());
        ManifestException e = refused(INSIDE, List.of(masterPublic), "test.local");
        assertTrue(e.getMessage().contains("is not listed in the whitelist of test.local"), e.getMessage());
    }

    @Test
    void refusesManifestSignedWithAnIntruderCertificate() throws Exception {
        RepositoryKeys intruder = RepositoryKeys.generate("test.local", INSIDE);
        var certificate = new ObjectStore(repo).putCompressed(intruder.certificate().pem(), HashAlgorithm.SHA1,
                ObjectSuffix.CERTIFICATE);
        Manifest m = SignedManifest.parse(Files.readAllBytes(repo.resolve(".cvmfspublished"))).manifest()
                .withSigningFacts(certificate, null, 1795600000);
        Files.write(repo.resolve(".cvmfspublished"), SignedManifest.sign(m, intruder.privateKey()).toBytes());
        ManifestException e = refused(INSIDE, List.of(masterPublic), "test.local");
        assertTrue(e.getMessage().startsWith("certificate CN=test.local CernVM-FS Release Managers"), e.getMessage());
        assertTrue(e.getMessage().contains("is not listed"), e.getMessage());
    }

    @Test
    void refusesManifestSignedByAnotherKeyThanItsCertificate() throws Exception {
        RepositoryKeys intruder = RepositoryKeys.generate("test.local", INSIDE);
        Manifest m = SignedManifest.parse(Files.readAllBytes(repo.resolve(".cvmfspublished"))).manifest();
        Files.write(repo.resolve(".cvmfspublished"), SignedManifest.sign(m, intruder.privateKey()).toBytes());
        ManifestException e = refused(INSIDE, List.of(masterPublic), "test.local");
        assertTrue(e.getMessage().startsWith("manifest signature does not verify with certificate"), e.getMessage());
    }

    @Test
    void reportsMissingAndCorruptCertificateObjectsAndMissingWhitelist() throws Exception {
        Path certificate = repo.resolve("data/4e/1b884e2329ff4f65f45a3b70912e3b907ba7baX");
        byte[] original = Files.readAllBytes(certificate);
        Files.write(certificate, new byte[] {0x78, (byte) 0x9c, 1, 2, 3});
        assertThrows(CorruptObjectException.class, () -> verify(INSIDE, List.of(masterPublic), "test.local"));
        Files.delete(certificate);
        assertThrows(MissingObjectException.class, () -> verify(INSIDE, List.of(masterPublic), "test.local"));
        Files.write(certificate, original);
        Files.delete(repo.resolve(".cvmfswhitelist"));
        assertThrows(MissingRootFileException.class, () -> verify(INSIDE, List.of(masterPublic), "test.local"));
    }
}
