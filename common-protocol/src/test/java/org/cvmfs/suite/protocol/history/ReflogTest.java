package org.cvmfs.suite.protocol.history;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReflogTest {
    @TempDir
    Path work;

    private static Path served() {
        return Fixtures.upstreamTestLocal().resolve("served");
    }

    @Test
    void upstreamReflogMatchesManifestAndListsItsObjects() throws Exception {
        Manifest m = SignedManifest.parse(Files.readAllBytes(served().resolve(".cvmfspublished"))).manifest();
        String chksum = Files.readString(Fixtures.upstreamTestLocal().resolve("server-config/reflog.chksum")).trim();
        assertEquals(chksum, m.reflog().toText());
        try (Reflog reflog = Reflog.fetch(new LocalRepositorySource(served()), m.reflog(), work)) {
            assertEquals("test.local", reflog.fqrn());
            assertTrue(reflog.contains(m.rootCatalog()));
            assertTrue(reflog.contains(m.certificate()));
            assertTrue(reflog.contains(m.history()));
            assertTrue(reflog.contains(m.metaInfo()));
            // a catalog hash asked for as a history is a different reference
            assertFalse(reflog.contains(m.rootCatalog().withSuffix(ObjectSuffix.HISTORY)));
            List<Reflog.Entry> entries = reflog.entries();
            assertEquals(10, entries.size());
            assertEquals(4, entries.stream().filter(e -> e.object().suffix() == ObjectSuffix.CATALOG).count());
            assertEquals(4, entries.stream().filter(e -> e.object().suffix() == ObjectSuffix.HISTORY).count());
            assertEquals(new Reflog.Entry(ContentHash.parse("ca14f5336563436d7556fe3247fa9f0671232d1e",
                    ObjectSuffix.CATALOG), 1795581048), entries.get(0));
        }
    }

    @Test
    void refusesReflogThatDoesNotMatchItsDigest() {
        ContentHash wrong = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {1}, ObjectSuffix.NONE);
        CorruptObjectException e = assertThrows(CorruptObjectException.class,
                () -> Reflog.fetch(new LocalRepositorySource(served()), wrong, work));
        assertTrue(e.getMessage().contains("hashes to ad5bb0ac50040121b9a226fe2898149574d89a68, expected "
                + wrong.toText()), e.getMessage());
    }

    @Test
    void addsWithInsertOrReplaceAndRoundTrips() throws Exception {
        ContentHash catalog = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {1}, ObjectSuffix.CATALOG);
        ContentHash certificate = ContentHash.compute(HashAlgorithm.SHAKE128, new byte[] {2}, ObjectSuffix.CERTIFICATE);
        byte[] raw;
        try (Reflog reflog = Reflog.create(work, "test.example.org")) {
            reflog.add(catalog, Instant.ofEpochSecond(100));
            reflog.add(certificate, Instant.ofEpochSecond(100));
            reflog.add(catalog, Instant.ofEpochSecond(200));
            assertEquals(List.of(new Reflog.Entry(certificate, 100), new Reflog.Entry(catalog, 200)), reflog.entries());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> reflog.add(catalog.withSuffix(ObjectSuffix.PARTIAL), Instant.EPOCH));
            assertTrue(e.getMessage().startsWith("the reflog records only"), e.getMessage());
            raw = reflog.closeAndRead();
        }
        ContentHash y = Reflog.digestOf(raw, HashAlgorithm.SHA1);
        Files.write(work.resolve(".cvmfsreflog"), raw);
        try (Reflog back = Reflog.fetch(new LocalRepositorySource(work), y, work.resolve("staging"))) {
            assertEquals("test.example.org", back.fqrn());
            assertTrue(back.contains(catalog));
            assertTrue(back.contains(certificate));
            assertEquals(2, back.entries().size());
        }
    }

    @Test
    void refusesWhatIsNotAReflog() throws Exception {
        byte[] history = org.cvmfs.suite.protocol.store.Zlib.inflate(new LocalRepositorySource(served()).fetchObject(
                ContentHash.parse("6248037d7e369231305a992b87bf057d6e4f9320", ObjectSuffix.HISTORY)), 1 << 24);
        HistoryException e = assertThrows(HistoryException.class, () -> Reflog.open(history, work));
        assertEquals("reflog database has no table 'refs'", e.getMessage());
        assertThrows(HistoryException.class, () -> Reflog.open(new byte[0x200], work));
    }
}
