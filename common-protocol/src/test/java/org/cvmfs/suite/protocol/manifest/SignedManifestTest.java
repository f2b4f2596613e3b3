package org.cvmfs.suite.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class SignedManifestTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);
    private static byte[] fixtureFile;
    private static RepositoryCertificate fixtureCertificate;
    private static RepositoryKeys otherKeys;

    @BeforeAll
    static void load() throws Exception {
        Path served = Fixtures.upstreamTestLocal().resolve("served");
        fixtureFile = Files.readAllBytes(served.resolve(".cvmfspublished"));
        SignedManifest signed = SignedManifest.parse(fixtureFile);
        byte[] stored = new LocalRepositorySource(served).fetchObject(signed.manifest().certificate());
        fixtureCertificate = RepositoryCertificate.parsePem(Zlib.inflate(stored, 1 << 20));
        otherKeys = RepositoryKeys.generate("test.local", CLOCK);
    }

    @Test
    void parsesUpstreamManifest() {
        SignedManifest signed = SignedManifest.parse(fixtureFile);
        Manifest m = signed.manifest();
        assertEquals(3, m.revision());
        assertEquals("test.local", m.repositoryName());
        assertEquals("be6fdb98797cf5449f2feb9bea0db93bc65c711d", m.rootCatalog().toText());
        assertEquals("4e1b884e2329ff4f65f45a3b70912e3b907ba7ba", m.certificate().toText());
        assertEquals("630fadbebc974f7a3de232e509a9b8c423d56dbb", signed.bodyHashText());
        assertEquals(256, signed.signature().length);
        assertArrayEquals(fixtureFile, signed.toBytes());
    }

    @Test
    void verifiesUpstreamManifestWithItsCertificate() {
        SignedManifest.parse(fixtureFile).verify(fixtureCertificate);
        assertEquals("CN=test.local CernVM-FS Release Managers", fixtureCertificate.subject());
    }

    @Test
    void refusesManifestSignedByAnotherKey() {
        SignedManifest forged = SignedManifest.sign(SignedManifest.parse(fixtureFile).manifest(), otherKeys.privateKey());
        ManifestException e = assertThrows(ManifestException.class, () -> forged.verify(fixtureCertificate));
        assertTrue(e.getMessage().startsWith(
                "manifest signature does not verify with certificate CN=test.local CernVM-FS Release Managers"),
                e.getMessage());
    }

    @Test
    void refusesTamperedBody() {
        byte[] tampered = replace(fixtureFile, "S3\n", "S4\n");
        ManifestException e = assertThrows(ManifestException.class,
                () -> SignedManifest.parse(tampered).verify(fixtureCertificate));
        assertTrue(e.getMessage().startsWith("manifest body digest mismatch"), e.getMessage());
    }

    @Test
    void refusesBodyAndHashLineReplacedTogether() {
        // recomputing the hash line does not help: the signature covers the hash text
        Manifest changed = SignedManifest.parse(fixtureFile).manifest().withRootCatalog(
                ContentHash.compute(HashAlgorithm.SHA1, new byte[] {1}, ObjectSuffix.CATALOG), 1, 4);
        byte[] original = SignedManifest.parse(fixtureFile).signature();
        String hash = ContentHash.compute(HashAlgorithm.SHA1, changed.exportBody(), ObjectSuffix.NONE).toText();
        byte[] forged = concat(changed.exportBody(), ("--\n" + hash + "\n").getBytes(StandardCharsets.US_ASCII), original);
        ManifestException e = assertThrows(ManifestException.class,
                () -> SignedManifest.parse(forged).verify(fixtureCertificate));
        assertTrue(e.getMessage().contains("signature does not verify"), e.getMessage());
    }

    @Test
    void refusesTruncatedSignature() {
        byte[] truncated = Arrays.copyOf(fixtureFile, fixtureFile.length - 10);
        ManifestException e = assertThrows(ManifestException.class,
                () -> SignedManifest.parse(truncated).verify(fixtureCertificate));
        assertTrue(e.getMessage().startsWith("manifest signature does not verify"), e.getMessage());
    }

    @Test
    void refusesMalformedEnvelopes() {
        assertMessage("manifest has no signature block", "CabC\n".getBytes(StandardCharsets.US_ASCII));
        byte[] body = SignedManifest.parse(fixtureFile).manifest().exportBody();
        assertMessage("manifest hash line after '--' is not terminated",
                concat(body, "--\n630fadbe".getBytes(StandardCharsets.US_ASCII)));
        assertMessage("manifest has no signature after its hash line",
                concat(body, "--\n630fadbebc974f7a3de232e509a9b8c423d56dbb\n".getBytes(StandardCharsets.US_ASCII)));
        assertMessage("manifest is 65537 bytes", new byte[SignedManifest.MAX_BYTES + 1]);
        byte[] badHash = concat(body, "--\nnot-a-hash\nSIG".getBytes(StandardCharsets.US_ASCII));
        ManifestException e = assertThrows(ManifestException.class,
                () -> SignedManifest.parse(badHash).verify(fixtureCertificate));
        assertTrue(e.getMessage().startsWith("manifest hash line is not a content hash: 'not-a-hash'"), e.getMessage());
    }

    @Test
    void refusesBodyWithoutRequiredLines() {
        byte[] noName = replace(fixtureFile, "Ntest.local\n", "");
        assertMessage("manifest has no N line", noName);
    }

    @ParameterizedTest
    @EnumSource(HashAlgorithm.class)
    void signsWithTheRootCatalogAlgorithm(HashAlgorithm algorithm) {
        Manifest m = new Manifest(ContentHash.compute(algorithm, new byte[] {7}, ObjectSuffix.CATALOG), 16384,
                240, 5, false, false, "test.local",
                ContentHash.compute(algorithm, otherKeys.certificate().pem(), ObjectSuffix.CERTIFICATE),
                null, 1795581052, null, null);
        SignedManifest signed = SignedManifest.sign(m, otherKeys.privateKey());
        assertEquals(algorithm.textLength(), signed.bodyHashText().length());
        SignedManifest reparsed = SignedManifest.parse(signed.toBytes());
        reparsed.verify(otherKeys.certificate());
        assertEquals(m, reparsed.manifest());
        assertThrows(ManifestException.class, () -> reparsed.verify(fixtureCertificate));
    }

    @Test
    void refusesToSignWithoutCertificate() {
        Manifest m = SignedManifest.parse(fixtureFile).manifest().withSigningFacts(null, null, 1);
        ManifestException e = assertThrows(ManifestException.class, () -> SignedManifest.sign(m, otherKeys.privateKey()));
        assertEquals("cannot sign a manifest without certificate (X)", e.getMessage());
    }

    private static void assertMessage(String prefix, byte[] file) {
        ManifestException e = assertThrows(ManifestException.class, () -> SignedManifest.parse(file));
        assertTrue(e.getMessage().startsWith(prefix), e.getMessage());
    }

    static byte[] replace(byte[] file, String from, String to) {
        String s = new String(file, StandardCharsets.ISO_8859_1);
        if (!s.contains(from)) {
            throw new IllegalArgumentException("no '" + from + "' in file");
        }
        return s.replaceFirst(java.util.regex.Pattern.quote(from), to).getBytes(StandardCharsets.ISO_8859_1);
    }

    static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
