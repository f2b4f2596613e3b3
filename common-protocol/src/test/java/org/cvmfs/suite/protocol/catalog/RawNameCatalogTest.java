package org.cvmfs.suite.protocol.catalog;

import static org.cvmfs.suite.protocol.catalog.TestRepository.dir;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.HexFormat;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.name.RawName;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.Zlib;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Names and symlink targets that are not valid UTF-8, as upstream stores them: raw bytes in the
 * TEXT columns, {@code md5path} over the raw path bytes.
 */
class RawNameCatalogTest {
    /** {@code d\xff}: a directory (and nested catalog) whose name is one invalid byte longer. */
    static final byte[] DIR = HexFormat.of().parseHex("64ff");
    /** {@code a\xffb\xc3}: an invalid byte and a lone lead byte. */
    static final byte[] FILE = HexFormat.of().parseHex("61ff62c3");
    static final byte[] LINK = HexFormat.of().parseHex("6cc3");
    /** {@code x\xff/\xc3y}: a target with an invalid byte in two components. */
    static final byte[] TARGET = HexFormat.of().parseHex("78ff2fc379");

    @TempDir
    Path tmp;
    TestRepository repo;

    @BeforeEach
    void setUp() {
        repo = new TestRepository(tmp);
    }

    static String name(byte[] b) {
        return RawName.decode(b);
    }

    static byte[] concat(byte[]... parts) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    static byte[] slash() {
        return new byte[] {'/'};
    }

    @Test
    void namesAndTargetsRoundTripByteForByteWithMd5OfTheRawPath() throws Exception {
        RepositoryPath d = RepositoryPath.ROOT.child(name(DIR));
        RepositoryPath f = d.child(name(FILE));
        RepositoryPath l = d.child(name(LINK));
        repo.edit(m -> {
            m.addDirectory(d, dir(name(DIR)));
            m.addFile(f, repo.file(name(FILE), "content").build(), List.of());
            m.addSymlink(l, DirectoryEntry.symlink(name(LINK), name(TARGET)).build());
            m.createNestedCatalog(d);
        });
        try (CatalogHierarchy tree = repo.read()) {
            DirectoryEntry file = tree.lookup(f).orElseThrow();
            assertArrayEquals(FILE, RawName.encode(file.name()));
            DirectoryEntry link = tree.lookup(l).orElseThrow();
            assertArrayEquals(TARGET, RawName.encode(link.symlink()));
            assertEquals(TARGET.length, link.size());
            assertEquals(List.of(".cvmfscatalog", "a\\xffb\\xc3", "l\\xc3"),
                    tree.listing(d).stream().map(e -> RawName.printable(e.name())).toList());
        }
        byte[] rawDir = concat(slash(), DIR);
        byte[] rawFile = concat(rawDir, slash(), FILE);
        byte[] rawLink = concat(rawDir, slash(), LINK);
        try (SqliteFile root = catalogFile(repo.head)) {
            assertEquals("text:" + hex(DIR), column(root, "typeof(name) || ':' || hex(name)", rawDir));
            assertEquals(List.of(hex(rawDir)), strings(root, "SELECT hex(path) FROM nested_catalogs"));
            assertEquals(List.of("text"), strings(root, "SELECT typeof(path) FROM nested_catalogs"));
        }
        ContentHash nested;
        try (CatalogHierarchy tree = repo.read()) {
            nested = tree.rootCatalog().nestedCatalogs().get(0).hash();
            assertEquals(RepositoryPath.ROOT.child(name(DIR)), tree.rootCatalog().nestedCatalogs().get(0).path());
        }
        try (SqliteFile child = catalogFile(nested)) {
            assertEquals("text:" + hex(FILE), column(child, "typeof(name) || ':' || hex(name)", rawFile));
            assertEquals("text:" + hex(TARGET), column(child, "typeof(symlink) || ':' || hex(symlink)", rawLink));
            assertEquals(List.of(hex(rawDir)), strings(child, "SELECT hex(value) FROM properties WHERE key = 'root_prefix'"));
            // md5path and parent of the raw path bytes, computed here independently of PathHash
            assertEquals(md5Columns(rawFile) + "/" + md5Columns(rawDir), strings(child,
                    "SELECT md5path_1 || ',' || md5path_2 || '/' || parent_1 || ',' || parent_2 FROM catalog WHERE hex(name) = '"
                            + hex(FILE) + "'").get(0));
        }
    }

    @Test
    void aNameThatStandsForNoBytesIsRefused() {
        assertTrue(RawName.isCanonical(name(FILE)));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> RepositoryPath.ROOT.child("\uDCC3\uDCBC"));
        assertEquals("name '\\xc3\\xbc' is not valid Unicode", e.getMessage());
        assertFalse(RawName.isCanonical("\uDCC3\uDCBC"));
    }

    static String md5Columns(byte[] path) throws Exception {
        byte[] md5 = MessageDigest.getInstance("MD5").digest(path);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(md5).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        return b.getLong(0) + "," + b.getLong(8);
    }

    SqliteFile catalogFile(ContentHash hash) throws Exception {
        Path file = Files.createTempFile(tmp, "catalog", ".sqlite");
        Files.write(file, Zlib.inflate(repo.store.readStored(hash), 1 << 26));
        return SqliteFile.openReadOnly(file);
    }

    static String hex(byte[] b) {
        return HexFormat.of().withUpperCase().formatHex(b);
    }

    static String column(SqliteFile db, String expression, byte[] path) throws Exception {
        PathHash key = PathHash.of(path);
        try (PreparedStatement s = db.prepare("SELECT " + expression + " FROM catalog WHERE md5path_1 = ? AND md5path_2 = ?")) {
            s.setLong(1, key.high());
            s.setLong(2, key.low());
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next(), "no row for " + hex(path));
                return rs.getString(1);
            }
        }
    }

    static List<String> strings(SqliteFile db, String sql) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (PreparedStatement s = db.prepare(sql); ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }

    static ContentHash putObject(TestRepository repo, byte[] content) {
        return repo.store.putCompressed(content, HashAlgorithm.SHA1, ObjectSuffix.NONE);
    }
}
