package org.cvmfs.suite.protocol.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LocalRepositorySourceTest {
    static final ContentHash CERTIFICATE =
            ContentHash.parse("4e1b884e2329ff4f65f45a3b70912e3b907ba7ba", ObjectSuffix.CERTIFICATE);

    @TempDir
    Path tmp;
    private Path repo;
    private LocalRepositorySource source;

    @BeforeEach
    void copy() {
        repo = DirectoryTree.copy(Fixtures.upstreamTestLocal().resolve("served"), tmp.resolve("test.local"));
        source = new LocalRepositorySource(repo);
    }

    @Test
    void readsRootFilesAndVerifiedObjects() throws Exception {
        assertArrayEquals(Files.readAllBytes(repo.resolve(".cvmfspublished")), source.fetchRootFile(".cvmfspublished"));
        byte[] cert = source.fetchObject(CERTIFICATE);
        assertTrue(CERTIFICATE.matches(cert));
        assertTrue(source.hasObject(CERTIFICATE));
        assertFalse(source.hasObject(CERTIFICATE.withSuffix(ObjectSuffix.CATALOG)));
        assertEquals(repo.toAbsolutePath().toString(), source.describe());
    }

    @Test
    void reportsMissingFilesAndObjects() {
        MissingRootFileException root = assertThrows(MissingRootFileException.class,
                () -> source.fetchRootFile(".cvmfswhitelist.pkcs7"));
        assertEquals(".cvmfswhitelist.pkcs7", root.name());
        ContentHash absent = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {42}, ObjectSuffix.NONE);
        MissingObjectException object = assertThrows(MissingObjectException.class, () -> source.fetchObject(absent));
        assertEquals(absent, object.hash());
        assertTrue(object.getMessage().endsWith("is missing from " + source.describe()), object.getMessage());
    }

    @Test
    void refusesCorruptedObject() throws Exception {
        Path file = repo.resolve("data").resolve(CERTIFICATE.objectPath());
        byte[] bytes = Files.readAllBytes(file);
        bytes[bytes.length / 2] ^= 1;
        Files.write(file, bytes);
        CorruptObjectException e = assertThrows(CorruptObjectException.class, () -> source.fetchObject(CERTIFICATE));
        assertTrue(e.getMessage().contains("does not hash to its name"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "../etc/passwd", "data/00", "a/b", "nul\0byte", "..cvmfspublished", "a b",
        "with\\backslash"})
    void refusesNamesThatAreNotPlainRootFiles(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> source.fetchRootFile(name));
        assertTrue(e.getMessage().startsWith("not a repository root file name"), e.getMessage());
        assertFalse(e.getMessage().contains("\0"));
    }

    @Test
    void refusesFilesOverTheLimit() {
        LocalRepositorySource small = new LocalRepositorySource(repo, new FetchLimits(100, 100));
        RepositoryFetchException root = assertThrows(RepositoryFetchException.class,
                () -> small.fetchRootFile(".cvmfsreflog"));
        assertTrue(root.getMessage().endsWith("is larger than the 100 bytes allowed"), root.getMessage());
        assertThrows(RepositoryFetchException.class, () -> small.fetchObject(CERTIFICATE));
        assertThrows(IllegalArgumentException.class, () -> new FetchLimits(0, 1));
    }
}
