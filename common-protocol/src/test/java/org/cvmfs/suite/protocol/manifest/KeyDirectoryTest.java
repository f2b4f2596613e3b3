package org.cvmfs.suite.protocol.manifest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyDirectoryTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T12:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void generatesKeysLikeMkfs() throws Exception {
        RepositoryKeys keys = RepositoryKeys.generate("test.example.org", CLOCK);
        RSAPublicKey pub = (RSAPublicKey) keys.certificate().publicKey();
        assertEquals(2048, pub.getModulus().bitLength());
        assertEquals(65537, pub.getPublicExponent().intValueExact());
        assertEquals("CN=test.example.org CernVM-FS Release Managers", keys.certificate().subject());
        assertEquals(keys.certificate().x509().getSubjectX500Principal(), keys.certificate().x509().getIssuerX500Principal());
        assertEquals(Instant.parse("2027-12-01T12:00:00Z"), keys.certificate().x509().getNotAfter().toInstant());
        keys.certificate().x509().verify(pub);
    }

    @Test
    void truncatesLongNamesInTheCommonName() {
        assertEquals("a-very-long-repository-name.ex[...] CernVM-FS Release Managers",
                RepositoryCertificate.commonName("a-very-long-repository-name.example.org"));
        assertEquals("exactly-thirty-characters.org1 CernVM-FS Release Managers",
                RepositoryCertificate.commonName("exactly-thirty-characters.org1"));
    }

    @Test
    void writesAndReadsBackWithUpstreamFlavoursAndModes() throws Exception {
        KeyDirectory keysDir = new KeyDirectory(dir);
        RepositoryKeys keys = RepositoryKeys.generate("test.example.org", CLOCK);
        KeyPair master = RsaKeyPairs.generate();
        keysDir.writeRepositoryKeys(keys);
        keysDir.writeMasterKey("test.example.org", master);

        assertStartsWith(keysDir.privateKeyFile("test.example.org"), "-----BEGIN RSA PRIVATE KEY-----\n");
        assertStartsWith(keysDir.masterKeyFile("test.example.org"), "-----BEGIN RSA PRIVATE KEY-----\n");
        assertStartsWith(keysDir.masterPublicKeyFile("test.example.org"), "-----BEGIN PUBLIC KEY-----\n");
        assertStartsWith(keysDir.certificateFile("test.example.org"), "-----BEGIN CERTIFICATE-----\n");
        assertEquals("r--------", mode(keysDir.privateKeyFile("test.example.org")));
        assertEquals("r--------", mode(keysDir.masterKeyFile("test.example.org")));
        assertEquals("r--r--r--", mode(keysDir.masterPublicKeyFile("test.example.org")));
        assertEquals("r--r--r--", mode(keysDir.certificateFile("test.example.org")));
        try (var files = Files.list(dir)) {
            assertEquals(4, files.count(), "no temporary files left behind");
        }

        RepositoryKeys back = keysDir.readRepositoryKeys("test.example.org");
        assertArrayEquals(keys.certificate().pem(), back.certificate().pem());
        assertEquals(keys.privateKey(), back.privateKey());
        assertEquals(master.getPublic(), keysDir.readMasterPublicKey("test.example.org"));
        assertEquals(master.getPublic(), keysDir.readMasterKey("test.example.org").getPublic());
    }

    @Test
    void readsUpstreamPkcs8KeysAndMatchesThemToTheCertificate() {
        KeyDirectory upstream = new KeyDirectory(Fixtures.upstreamTestLocal().resolve("keys"));
        RepositoryKeys keys = upstream.readRepositoryKeys("test.local");
        assertEquals("CN=test.local CernVM-FS Release Managers", keys.certificate().subject());
        assertEquals(upstream.readMasterPublicKey("test.local"), upstream.readMasterKey("test.local").getPublic());
    }

    @Test
    void refusesKeyThatDoesNotBelongToTheCertificate() {
        RepositoryKeys a = RepositoryKeys.generate("test.local", CLOCK);
        RepositoryKeys b = RepositoryKeys.generate("test.local", CLOCK);
        ManifestException e = assertThrows(ManifestException.class,
                () -> new RepositoryKeys("test.local", a.privateKey(), b.certificate()));
        assertTrue(e.getMessage().startsWith("the private key of test.local does not belong to certificate"),
                e.getMessage());
    }

    @Test
    void neverOverwritesAnExistingKey() throws Exception {
        KeyDirectory keysDir = new KeyDirectory(dir);
        Files.writeString(keysDir.privateKeyFile("test.local"), "precious");
        UncheckedIOException e = assertThrows(UncheckedIOException.class,
                () -> keysDir.writeRepositoryKeys(RepositoryKeys.generate("test.local", CLOCK)));
        assertTrue(e.getMessage().startsWith("cannot write " + keysDir.privateKeyFile("test.local")), e.getMessage());
        assertEquals("precious", Files.readString(keysDir.privateKeyFile("test.local")));
    }

    @Test
    void refusesWrongPemFlavoursAndGarbage() throws Exception {
        RepositoryKeys keys = RepositoryKeys.generate("test.local", CLOCK);
        Path pkcs1Public = dir.resolve("pkcs1.pub");
        byte[] pkcs1 = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(keys.certificate().publicKey()
                .getEncoded()).parsePublicKey().getEncoded();
        Files.write(pkcs1Public, Pem.encode("RSA PUBLIC KEY", pkcs1));
        ManifestException pub = assertThrows(ManifestException.class, () -> KeyFiles.readPublicKey(pkcs1Public));
        assertTrue(pub.getMessage().contains("is not a PEM 'PUBLIC KEY'"), pub.getMessage());

        Path garbage = dir.resolve("garbage.key");
        Files.writeString(garbage, "hello\n");
        ManifestException g = assertThrows(ManifestException.class, () -> KeyFiles.readPrivateKey(garbage));
        assertTrue(g.getMessage().endsWith("contains no PEM block"), g.getMessage());

        Path certAsKey = dir.resolve("cert.key");
        Files.write(certAsKey, keys.certificate().pem());
        ManifestException c = assertThrows(ManifestException.class, () -> KeyFiles.readPrivateKey(certAsKey));
        assertTrue(c.getMessage().contains("is not an unencrypted RSA private key"), c.getMessage());

        Path der = dir.resolve("der.crt");
        Files.write(der, keys.certificate().x509().getEncoded());
        ManifestException d = assertThrows(ManifestException.class, () -> KeyFiles.readCertificate(der));
        assertTrue(d.getMessage().contains("certificate is not PEM"), d.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new KeyDirectory(dir).privateKeyFile("../etc/passwd"));
    }

    private static void assertStartsWith(Path file, String prefix) throws Exception {
        String text = Files.readString(file, StandardCharsets.US_ASCII);
        assertTrue(text.startsWith(prefix), file + ": " + text.substring(0, Math.min(40, text.length())));
        assertTrue(text.endsWith("-----\n") && !text.contains("\r"), file + " must end with LF and have no CR");
    }

    private static String mode(Path file) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
    }
}
