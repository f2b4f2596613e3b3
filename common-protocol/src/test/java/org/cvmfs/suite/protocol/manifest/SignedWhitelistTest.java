package org.cvmfs.suite.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SignedWhitelistTest {
    private static final Clock INSIDE = Fixtures.WHITELISTS_VALID;
    private static byte[] fixtureFile;
    private static PublicKey fixtureMasterKey;
    private static KeyPair fixtureMaster;
    private static RepositoryCertificate fixtureCertificate;
    private static KeyPair otherMaster;

    @BeforeAll
    static void load() throws Exception {
        Path repo = Fixtures.upstreamTestLocal();
        fixtureFile = Files.readAllBytes(repo.resolve("served/.cvmfswhitelist"));
        KeyDirectory keys = new KeyDirectory(repo.resolve("keys"));
        fixtureMasterKey = keys.readMasterPublicKey("test.local");
        fixtureMaster = keys.readMasterKey("test.local");
        fixtureCertificate = KeyFiles.readCertificate(keys.certificateFile("test.local"));
        otherMaster = RsaKeyPairs.generate();
    }

    private static Clock at(String instant) {
        return Clock.fixed(Instant.parse(instant), ZoneOffset.UTC);
    }

    @Test
    void parsesAndVerifiesUpstreamWhitelist() {
        SignedWhitelist signed = SignedWhitelist.parse(fixtureFile);
        signed.verify(List.of(fixtureMasterKey));
        Whitelist w = signed.whitelist();
        assertEquals(Instant.parse("2026-11-25T04:30:48Z"), w.created());
        assertEquals(Instant.parse("2026-12-25T04:30:48Z"), w.expires());
        assertEquals("test.local", w.repositoryName());
        assertEquals("55:ED:BB:B0:47:B0:CE:96:B0:7B:A1:03:DD:86:2F:F1:87:AF:8F:D4", w.fingerprints().get(0).toText());
        assertEquals(fixtureCertificate.fingerprint(HashAlgorithm.SHA1), w.fingerprints().get(0));
        w.requireRepositoryName("test.local");
        w.requireNotExpired(INSIDE);
        w.requireListed(fixtureCertificate);
        assertArrayEquals(fixtureFile, signed.toBytes());
        assertArrayEquals(SignedText.split(fixtureFile, "whitelist", 1 << 16).body(), w.exportBody());
    }

    @Test
    void expiresAtTheStartOfTheExpiryHour() {
        Whitelist w = SignedWhitelist.parse(fixtureFile).whitelist();
        assertFalse(w.isExpired(at("2026-11-25T04:30:48Z")));
        assertFalse(w.isExpired(at("2026-12-25T03:59:59Z")));
        assertTrue(w.isExpired(at("2026-12-25T04:00:00Z")));
        assertTrue(w.isExpired(at("2026-12-25T04:30:47Z")));
        assertTrue(w.isExpired(at("2027-01-01T00:00:00Z")));
        ManifestException e = assertThrows(ManifestException.class, () -> w.requireNotExpired(at("2026-12-26T00:00:00Z")));
        assertTrue(e.getMessage().startsWith("whitelist of test.local expired at 2026-12-25T04:30:48Z"), e.getMessage());
    }

    @Test
    void refusesWhitelistSignedByAnotherMasterKey() {
        Whitelist w = SignedWhitelist.parse(fixtureFile).whitelist();
        SignedWhitelist forged = SignedWhitelist.sign(w, otherMaster.getPrivate(), HashAlgorithm.SHA1);
        ManifestException e = assertThrows(ManifestException.class, () -> forged.verify(List.of(fixtureMasterKey)));
        assertTrue(e.getMessage().startsWith(
                "whitelist signature of test.local does not verify with any of the 1 master public key(s)"), e.getMessage());
    }

    @Test
    void acceptsAnyOfSeveralMasterKeys() {
        SignedWhitelist.parse(fixtureFile).verify(List.of(otherMaster.getPublic(), fixtureMasterKey));
        ManifestException e = assertThrows(ManifestException.class,
                () -> SignedWhitelist.parse(fixtureFile).verify(List.of()));
        assertTrue(e.getMessage().startsWith("no master public key"), e.getMessage());
    }

    @Test
    void refusesTamperedWhitelist() {
        byte[] extended = SignedManifestTest.replace(fixtureFile, "E20261225043048", "E20271225043048");
        ManifestException e = assertThrows(ManifestException.class,
                () -> SignedWhitelist.parse(extended).verify(List.of(fixtureMasterKey)));
        assertTrue(e.getMessage().startsWith("whitelist body digest mismatch"), e.getMessage());
    }

    @Test
    void refusesTruncatedSignature() {
        byte[] truncated = java.util.Arrays.copyOf(fixtureFile, fixtureFile.length - 1);
        ManifestException e = assertThrows(ManifestException.class,
                () -> SignedWhitelist.parse(truncated).verify(List.of(fixtureMasterKey)));
        assertTrue(e.getMessage().contains("does not verify"), e.getMessage());
    }

    @Test
    void refusesOtherRepositoryAndUnlistedCertificate() {
        Whitelist w = SignedWhitelist.parse(fixtureFile).whitelist();
        ManifestException name = assertThrows(ManifestException.class, () -> w.requireRepositoryName("other.local"));
        assertEquals("whitelist is for repository 'test.local', expected 'other.local'", name.getMessage());
        RepositoryCertificate stranger = RepositoryKeys.generate("test.local", INSIDE).certificate();
        ManifestException listed = assertThrows(ManifestException.class, () -> w.requireListed(stranger));
        assertTrue(listed.getMessage().contains("is not listed in the whitelist of test.local"), listed.getMessage());
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void roundTripsWithEveryAlgorithm(HashAlgorithm algorithm) {
        Whitelist w = new Whitelist(Instant.parse("2026-12-01T10:11:12Z"), Instant.parse("2026-12-31T10:11:12Z"),
                "test.local", List.of(fixtureCertificate.fingerprint(algorithm)));
        SignedWhitelist signed = SignedWhitelist.sign(w, fixtureMaster.getPrivate(), algorithm);
        assertEquals(algorithm.textLength(), signed.bodyHashText().length());
        SignedWhitelist reparsed = SignedWhitelist.parse(signed.toBytes());
        reparsed.verify(List.of(fixtureMasterKey));
        assertEquals(w, reparsed.whitelist());
        reparsed.whitelist().requireListed(fixtureCertificate);
    }

    @Test
    void createsThirtyDayWhitelistWithSha1Fingerprint() {
        Whitelist w = Whitelist.create("test.local", fixtureCertificate, at("2026-12-01T10:11:12.999Z"));
        assertEquals(Instant.parse("2026-12-01T10:11:12Z"), w.created());
        assertEquals(Instant.parse("2026-12-31T10:11:12Z"), w.expires());
        String body = new String(w.exportBody(), StandardCharsets.US_ASCII);
        assertEquals("20261201101112\nE20261231101112\nNtest.local\n"
                + "55:ED:BB:B0:47:B0:CE:96:B0:7B:A1:03:DD:86:2F:F1:87:AF:8F:D4\n", body);
        Whitelist week = Whitelist.create("x", fixtureCertificate, INSIDE, Duration.ofDays(7));
        assertEquals(Duration.ofDays(7), Duration.between(week.created(), week.expires()));
    }

    @Test
    void acceptsShakeFingerprintsAndComments() {
        String shake = fixtureCertificate.fingerprint(HashAlgorithm.SHAKE128).toText();
        assertTrue(shake.endsWith("-SHAKE128") && shake.length() == 59 + 9, shake);
        String body = "20261201101112\nE20261231101112\nNtest.local\n\n# comment line\n"
                + shake + " # the release manager certificate\n";
        Whitelist w = Whitelist.parseBody(body.getBytes(StandardCharsets.US_ASCII));
        assertEquals(1, w.fingerprints().size());
        assertEquals(HashAlgorithm.SHAKE128, w.fingerprints().get(0).digest().algorithm());
        w.requireListed(fixtureCertificate);
        assertEquals(w.fingerprints().get(0), CertificateFingerprint.parse(shake.toLowerCase()));
    }

    @Test
    void refusesMalformedBodies() {
        assertBody("whitelist has 2 lines before '--'", "20261201101112\nE20261231101112\n");
        assertBody("whitelist creation time is not YYYYMMDDhhmmss: '2026120110111'",
                "2026120110111\nE20261231101112\nNtest.local\n");
        assertBody("whitelist expiry time is not YYYYMMDDhhmmss: '20261331101112'",
                "20261201101112\nE20261331101112\nNtest.local\n");
        assertBody("whitelist second line is not an expiry (E) line", "20261201101112\nX20261231101112\nNtest.local\n");
        assertBody("whitelist third line is not a repository name (N) line", "20261201101112\nE20261231101112\nN\n");
        assertBody("whitelist demands 'Vpkcs7' verification",
                "20261201101112\nE20261231101112\nNtest.local\nVpkcs7\n");
        assertBody("whitelist demands 'Wcachain' verification",
                "20261201101112\nE20261231101112\nNtest.local\nWcachain\n");
        assertBody("whitelist line is not a certificate fingerprint: 'AB:CD'",
                "20261201101112\nE20261231101112\nNtest.local\nAB:CD\n");
    }

    private static void assertBody(String prefix, String body) {
        ManifestException e = assertThrows(ManifestException.class,
                () -> Whitelist.parseBody(body.getBytes(StandardCharsets.US_ASCII)));
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }
}
