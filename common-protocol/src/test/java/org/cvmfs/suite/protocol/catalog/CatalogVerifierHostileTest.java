package org.cvmfs.suite.protocol.catalog;

import static org.cvmfs.suite.protocol.catalog.TestRepository.dir;
import static org.cvmfs.suite.protocol.catalog.TestRepository.p;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.Zlib;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Catalogs broken on purpose: the verifier names every fault, the readers refuse what cannot be read. */
class CatalogVerifierHostileTest {
    @TempDir
    Path dir;
    TestRepository repo;
    ContentHash nested;

    @BeforeEach
    void setUp() {
        repo = new TestRepository(dir);
        repo.edit(m -> {
            m.addDirectory(p("/a"), dir("a"));
            m.addFile(p("/a/f"), repo.file("f", "content").build(), List.of());
            m.addSymlink(p("/a/l"), DirectoryEntry.symlink("l", "f").build());
            List<Chunk> chunks = repo.chunks("one", "two");
            m.addFile(p("/a/big"), repo.chunkedFile("big", chunks).build(), chunks);
            m.addDirectory(p("/n"), dir("n"));
            m.addFile(p("/n/g"), repo.file("g", "in nested").build(), List.of());
            m.createNestedCatalog(p("/n"));
        });
        try (CatalogHierarchy h = repo.read()) {
            nested = h.nestedCatalog(p("/n")).orElseThrow().hash();
        }
    }

    /** Applies raw SQL to a copy of catalog {@code hash} and stores the result. */
    private ContentHash tamper(ContentHash hash, String... sql) throws Exception {
        byte[] inflated = Zlib.inflate(repo.store.readStored(hash), 1 << 30);
        Path file = Files.createTempFile(dir, "tamper", ".sqlite");
        Files.write(file, inflated);
        try (SqliteFile db = SqliteFile.openWritable(file)) {
            db.execute("PRAGMA foreign_keys = OFF");
            for (String s : sql) {
                db.execute(s);
            }
        }
        return repo.store.putCompressed(Files.readAllBytes(file), HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
    }

    private List<String> faultsOfRoot(String... sql) throws Exception {
        ContentHash root = tamper(repo.head, sql);
        return new CatalogVerifier(repo.source, repo.tmp).verify(root, 0, true).stream().map(CatalogFault::toString).toList();
    }

    private static void assertFault(List<String> faults, String... fragments) {
        assertFalse(faults.isEmpty(), "expected a fault");
        for (String fragment : fragments) {
            assertTrue(faults.stream().anyMatch(f -> f.contains(fragment)), "no fault mentions '" + fragment + "': " + faults);
        }
    }

    private static String key(String path) {
        PathHash h = RepositoryPath.of(path).pathHash();
        return "md5path_1 = " + h.high() + " AND md5path_2 = " + h.low();
    }

    @Test
    void wrongCounter() throws Exception {
        List<String> faults = faultsOfRoot("UPDATE statistics SET value = value + 1 WHERE counter = 'self_regular'");
        assertEquals(1, faults.size(), faults.toString());
        assertFault(faults, "root catalog", "counter self_regular is 3, expected 2");
        assertFault(faultsOfRoot("UPDATE statistics SET value = 7 WHERE counter = 'subtree_file_size'"),
                "subtree_file_size is 7, expected 9");
        assertFault(faultsOfRoot("DELETE FROM statistics WHERE counter = 'self_xattr'"), "counter self_xattr is missing");
    }

    @Test
    void orphanRow() throws Exception {
        PathHash ghost = RepositoryPath.of("/nowhere/ghost").pathHash();
        PathHash parent = RepositoryPath.of("/nowhere").pathHash();
        List<String> faults = faultsOfRoot("INSERT INTO catalog SELECT " + ghost.high() + ", " + ghost.low() + ", "
                + parent.high() + ", " + parent.low() + ", hardlinks, hash, size, mode, mtime, mtimens, flags, 'ghost',"
                + " symlink, uid, gid, xattr FROM catalog WHERE " + key("/a/f"));
        assertFault(faults, "orphan row 'ghost'", "not reachable");
    }

    @Test
    void badMd5path() throws Exception {
        List<String> faults = faultsOfRoot("UPDATE chunks SET md5path_1 = 1, md5path_2 = 2 WHERE " + key("/a/big"),
                "UPDATE catalog SET md5path_1 = 1, md5path_2 = 2 WHERE " + key("/a/big"));
        assertFault(faults, "/a/big: md5path PathHash[high=1, low=2] is not the MD5 of the path");
    }

    /** Upstream's tar ingest stores a symlink with size 0; its check accepts it, so does ours. */
    @Test
    void aSymlinkOfSizeZeroIsWhatUpstreamIngestWrites() throws Exception {
        assertEquals(List.of(), faultsOfRoot("UPDATE catalog SET size = 0 WHERE " + key("/a/l")));
    }

    @Test
    void brokenEntries() throws Exception {
        assertFault(faultsOfRoot("UPDATE catalog SET mode = 16877 WHERE " + key("/a/f")),
                "/a/f", "flags 4 say REGULAR but mode 040755 says DIRECTORY");
        assertFault(faultsOfRoot("UPDATE catalog SET size = 9 WHERE " + key("/a/l")), "symlink size is 9");
        assertFault(faultsOfRoot("UPDATE catalog SET hash = NULL WHERE " + key("/a/f")), "regular file without content hash");
        assertFault(faultsOfRoot("UPDATE catalog SET hardlinks = 7 WHERE " + key("/a")),
                "directory linkcount is 7, expected 2");
        assertFault(faultsOfRoot("UPDATE catalog SET hardlinks = 0 WHERE " + key("/a/f")), "linkcount 0");
        assertFault(faultsOfRoot("UPDATE catalog SET hash = x'0102' WHERE " + key("/a/f")), "hash blob has 2 bytes");
        assertFault(faultsOfRoot("UPDATE catalog SET xattr = x'0203' WHERE " + key("/a/f")), "xattr blob version 2");
        assertFault(faultsOfRoot("UPDATE catalog SET symlink = NULL WHERE " + key("/a/f")), "symlink is NULL");
        assertFault(faultsOfRoot("UPDATE catalog SET flags = 33 WHERE " + key("/a")), "nested-root flag");
        assertFault(faultsOfRoot("UPDATE catalog SET name = 'x/y' WHERE " + key("/a/f")), "'/' in name");
        assertFault(faultsOfRoot("UPDATE catalog SET name = '.cvmfscatalog' WHERE " + key("/a/f")),
                "md5path", "abandoned .cvmfscatalog");
        assertFault(faultsOfRoot("UPDATE catalog SET hardlinks = (5 << 32) | 2 WHERE " + key("/a/f")),
                "hard-link group 5 has 1 members in this directory but linkcount 2");
    }

    @Test
    void brokenChunks() throws Exception {
        assertFault(faultsOfRoot("UPDATE chunks SET offset = 4 WHERE offset = 3 AND " + key("/a/big")),
                "/a/big", "not contiguous");
        assertFault(faultsOfRoot("DELETE FROM chunks WHERE " + key("/a/big")), "chunked file has no chunks");
        assertFault(faultsOfRoot("UPDATE chunks SET md5path_1 = 1 WHERE " + key("/a/big")),
                "chunk rows for md5path", "without a matching file row");
        assertFault(faultsOfRoot("UPDATE catalog SET size = 99 WHERE " + key("/a/big")), "chunks cover 6 bytes but the file has 99");
    }

    @Test
    void missingObject() throws Exception {
        ContentHash missing = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {42}, ObjectSuffix.NONE);
        String hex = missing.toText();
        assertFault(faultsOfRoot("UPDATE catalog SET hash = x'" + hex + "' WHERE " + key("/a/f")),
                "object " + hex + " is missing");
        assertFault(faultsOfRoot("UPDATE chunks SET hash = x'" + hex + "' WHERE offset = 0 AND " + key("/a/big")),
                "object " + hex + "P is missing");
    }

    @Test
    void brokenNestedStructure() throws Exception {
        assertFault(faultsOfRoot("DELETE FROM nested_catalogs"), "/n: nested mountpoint is not registered");
        assertFault(faultsOfRoot("UPDATE catalog SET flags = 1 WHERE " + key("/n")),
                "registered nested catalog", "has no mountpoint entry");
        assertFault(faultsOfRoot("UPDATE catalog SET mtime = 5 WHERE " + key("/n")),
                "catalog /n", "differs from the parent's mountpoint entry: mtime 5 vs");
        assertFault(faultsOfRoot("UPDATE nested_catalogs SET size = 12"), "the reference says 12");
        assertFault(faultsOfRoot("UPDATE nested_catalogs SET sha1 = '" + "ab".repeat(20) + "'"), "cannot load");
        assertFault(faultsOfRoot("UPDATE nested_catalogs SET sha1 = 'zz'"), "not a content hash");

        ContentHash noMarker = tamper(nested, "DELETE FROM catalog WHERE " + key("/n/.cvmfscatalog"),
                "UPDATE statistics SET value = value - 1 WHERE counter = 'self_regular'");
        assertFault(faultsOfRoot("UPDATE nested_catalogs SET sha1 = '" + noMarker.toText() + "', size = 0"),
                "catalog /n", "has no .cvmfscatalog marker");
        ContentHash wrongPrefix = tamper(nested, "UPDATE properties SET value = '/m' WHERE key = 'root_prefix'");
        assertFault(faultsOfRoot("UPDATE nested_catalogs SET sha1 = '" + wrongPrefix.toText() + "', size = 0"),
                "root_prefix is '/m'");
        ContentHash notRoot = tamper(nested, "UPDATE catalog SET flags = 1 WHERE " + key("/n"));
        assertFault(faultsOfRoot("UPDATE nested_catalogs SET sha1 = '" + notRoot.toText() + "', size = 0"),
                "lacks the nested-root flag");
        assertFault(faultsOfRoot("INSERT INTO properties VALUES ('root_prefix', '/x')"), "root catalog has root_prefix");
    }

    @Test
    void wrongRootSizeAndUnreadableCatalogs() throws Exception {
        List<CatalogFault> faults = new CatalogVerifier(repo.source, repo.tmp).verify(repo.head, repo.headSize + 1, false);
        assertEquals(1, faults.size());
        assertTrue(faults.get(0).problem().contains("the reference says " + (repo.headSize + 1)));
        ContentHash notZlib = repo.store.putStored(new byte[] {1, 2, 3}, HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
        assertFault(new CatalogVerifier(repo.source, repo.tmp).verify(notZlib, 0, false).stream()
                .map(CatalogFault::toString).toList(), "cannot load", "zlib");
        ContentHash notSqlite = repo.store.putCompressed("hello".getBytes(), HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
        assertFalse(new CatalogVerifier(repo.source, repo.tmp).verify(notSqlite, 0, false).isEmpty());
        assertFault(faultsOfRoot("UPDATE properties SET value = '9.9' WHERE key = 'schema'"), "schema 9.9 is not supported");
    }

    @Test
    void hostilePathsAreRefused() {
        for (String bad : List.of("/a/../b", "/a/./b", "/a//b", "/a/", "a", "/a\0b", "/" + "x".repeat(256), "/",
                "/\uD800")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RepositoryPath.of(bad), bad);
            assertFalse(e.getMessage().isEmpty());
        }
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RepositoryPath.of("/a/../b")).getMessage()
                .contains("'..'"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RepositoryPath.of("/a\0b")).getMessage()
                .contains("NUL"));
        assertThrows(IllegalArgumentException.class, () -> DirectoryEntry.directory("..", 0755).build());
        assertThrows(IllegalArgumentException.class, () -> RepositoryPath.ROOT.child("a/b"));
        assertEquals(p("/" + "é".repeat(127)), RepositoryPath.ROOT.child("é".repeat(127)));
        assertThrows(IllegalArgumentException.class, () -> RepositoryPath.ROOT.child("é".repeat(128)));
    }

    @Test
    void invalidNameInsideACatalogIsAFault() throws Exception {
        assertFault(faultsOfRoot("UPDATE catalog SET name = '..' WHERE " + key("/a/f")), "/a", "'..' is not allowed");
        assertFault(faultsOfRoot("UPDATE catalog SET name = 'a' || char(0) || 'b' WHERE " + key("/a/f")), "NUL");
    }
}
