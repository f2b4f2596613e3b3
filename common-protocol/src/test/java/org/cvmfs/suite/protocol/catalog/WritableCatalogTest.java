package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.catalog.CatalogCounters.Field;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WritableCatalogTest {
    static final long NOW = 1795581048L;

    @TempDir
    Path tmp;

    @Test
    void pathHashVectorsOfSpec64() {
        assertEquals(new PathHash(338333539836370388L, 9098107892288553193L), RepositoryPath.ROOT.pathHash());
        assertEquals(new PathHash(3445601412511816508L, 6267067367417020806L), RepositoryPath.of("/software").pathHash());
        assertEquals(new PathHash(-5809621311578234096L, -2583071775493035223L),
                RepositoryPath.of("/.cvmfscatalog").pathHash());
        assertEquals(new PathHash(4069996547627848455L, -3471940481646685085L), RepositoryPath.of(
                "/lib/lhcb/ALIGNMENT/ALIGNMENT_v9r2/Phys/CommonParticles/tests/qmtest/commonparticles.qms/.svn/tmp/prop-base")
                .pathHash());
        assertEquals(new PathHash(8193369706472672701L, 4868506713845114430L),
                RepositoryPath.of("/new_repository").pathHash());
    }

    @Test
    void emptyRootCatalogMatchesSpec122RowByRow() throws Exception {
        Path file = tmp.resolve("root.sqlite");
        byte[] bytes;
        try (WritableCatalog c = WritableCatalog.createEmptyRoot(file, NOW, 1000, 1001)) {
            bytes = Files.readAllBytes(c.finish());
        }
        assertEquals(Files.size(file), bytes.length);
        try (SqliteFile db = SqliteFile.openReadOnly(file); Statement s = db.connection().createStatement()) {
            assertEquals(Map.of("schema", "2.5", "schema_revision", "7", "revision", "0",
                    "last_modified", Long.toString(NOW)), rows(s, "SELECT key, value FROM properties"));
            List<List<Object>> catalog = table(s, "SELECT * FROM catalog");
            assertEquals(1, catalog.size());
            List<Object> expected = new ArrayList<>(List.of(338333539836370388L, 9098107892288553193L, 0L, 0L, 2L));
            expected.add(null); // hash
            expected.addAll(List.of(4096L, 16877L, NOW));
            expected.add(null); // mtimens
            expected.addAll(List.of(1L, "", "", 1000L, 1001L));
            expected.add(null); // xattr
            assertEquals(expected, catalog.get(0));
            List<String> columns = columns(s, "SELECT * FROM catalog");
            assertEquals(List.of("md5path_1", "md5path_2", "parent_1", "parent_2", "hardlinks", "hash", "size", "mode",
                    "mtime", "mtimens", "flags", "name", "symlink", "uid", "gid", "xattr"), columns);
            Map<String, String> stats = rows(s, "SELECT counter, value FROM statistics");
            assertEquals(24, stats.size());
            stats.forEach((k, v) -> assertEquals(k.equals("self_dir") ? "1" : "0", v, k));
            for (String t : List.of("chunks", "nested_catalogs", "bind_mountpoints")) {
                assertEquals(List.of(), table(s, "SELECT * FROM " + t), t);
            }
            assertEquals(List.of(List.of("idx_catalog_parent")),
                    table(s, "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'"));
        }
    }

    @Test
    void finishRevisionBumpsRevisionAndRecordsPredecessor() throws Exception {
        Path file = tmp.resolve("root.sqlite");
        try (WritableCatalog c = WritableCatalog.createEmptyRoot(file, NOW, 0, 0)) {
            c.finish();
        }
        ContentHash previous = ContentHash.parse("36648c0a923fdaca587f5440b541360c2d501ce3", ObjectSuffix.CATALOG);
        try (WritableCatalog c = WritableCatalog.open(file, "root")) {
            c.setTtl(240);
            c.finishRevision(previous, NOW + 5);
        }
        try (Catalog c = Catalog.open(file)) {
            assertEquals(1, c.revision());
            assertEquals(NOW + 5, c.lastModified());
            assertEquals(previous, c.previousRevision().orElseThrow());
            assertEquals(240, c.ttl().getAsLong());
        }
        try (WritableCatalog c = WritableCatalog.open(file, "root")) {
            c.finishRevision(null, NOW + 6);
        }
        try (Catalog c = Catalog.open(file)) {
            assertEquals(2, c.revision());
            assertEquals("0".repeat(40), c.previousRevision().orElseThrow().toText());
        }
    }

    @Test
    void nestedCatalogRootRow() throws Exception {
        Path file = tmp.resolve("nested.sqlite");
        DirectoryEntry dir = DirectoryEntry.directory("software", 0755).mtime(NOW).build();
        try (WritableCatalog c = WritableCatalog.create(file, RepositoryPath.of("/software"), dir, NOW)) {
            c.finish();
        }
        try (Catalog c = Catalog.open(file); SqliteFile db = SqliteFile.openReadOnly(file);
             Statement s = db.connection().createStatement()) {
            assertEquals(RepositoryPath.of("/software"), c.rootPrefix());
            DirectoryEntry root = c.lookup(RepositoryPath.of("/software")).orElseThrow();
            assertEquals(33, root.flags().value());
            assertEquals(List.of(List.of(3445601412511816508L, 6267067367417020806L, 338333539836370388L,
                    9098107892288553193L, 33L)), table(s, "SELECT md5path_1, md5path_2, parent_1, parent_2, flags FROM catalog"));
        }
    }

    @Test
    void rowsChunksAndCountersStayExact() throws Exception {
        Path file = tmp.resolve("root.sqlite");
        ContentHash c1 = chunk(1);
        ContentHash c2 = chunk(2);
        try (WritableCatalog c = WritableCatalog.createEmptyRoot(file, NOW, 0, 0)) {
            RepositoryPath big = RepositoryPath.of("/big");
            DirectoryEntry chunked = DirectoryEntry.chunkedFile("big", 0644, 30, HashAlgorithm.SHA1).build();
            c.insert(big, chunked, List.of(new Chunk(0, 10, c1), new Chunk(10, 20, c2)));
            XattrList xattrs = XattrList.of(Map.of("user.a", new byte[] {1, 2}));
            c.insert(RepositoryPath.of("/x"), DirectoryEntry.regularFile("x", 0600, 5, bulk(3)).xattrs(xattrs).build(),
                    List.of());
            c.insert(RepositoryPath.of("/l"), DirectoryEntry.symlink("l", "x").build(), List.of());
            CatalogCounters n = c.counters();
            assertEquals(2, n.self(Field.REGULAR));
            assertEquals(1, n.self(Field.CHUNKED));
            assertEquals(2, n.self(Field.CHUNKS));
            assertEquals(35, n.self(Field.FILE_SIZE));
            assertEquals(30, n.self(Field.CHUNKED_SIZE));
            assertEquals(1, n.self(Field.XATTR));
            assertEquals(1, n.self(Field.SYMLINK));
            assertEquals(1, n.self(Field.DIR));

            // a chunked file turned into a plain one loses its chunk rows and counts
            c.update(big, DirectoryEntry.regularFile("big", 0644, 7, bulk(4)).build(), List.of());
            assertEquals(0, c.counters().self(Field.CHUNKS));
            assertEquals(12, c.counters().self(Field.FILE_SIZE));
            assertEquals(List.of(), c.reader().chunks(big));
            c.remove(RepositoryPath.of("/x"));
            assertEquals(0, c.counters().self(Field.XATTR));
            assertEquals(1, c.counters().self(Field.REGULAR));
            c.finish();
        }
        try (Catalog c = Catalog.open(file)) {
            assertEquals(1, c.counters().self(Field.REGULAR));
            assertEquals(7, c.counters().self(Field.FILE_SIZE));
            assertEquals(3, c.rowCount());
        }
    }

    @Test
    void writerRulesRefuseBadRows() throws Exception {
        try (WritableCatalog c = WritableCatalog.createEmptyRoot(tmp.resolve("r.sqlite"), NOW, 0, 0)) {
            DirectoryEntry file = DirectoryEntry.regularFile("a", 0644, 1, bulk(1)).build();
            assertThrows(CatalogException.class, () -> c.insert(RepositoryPath.of("/b"), file, List.of()),
                    "name must match the path");
            c.insert(RepositoryPath.of("/a"), file, List.of());
            CatalogException dup = assertThrows(CatalogException.class,
                    () -> c.insert(RepositoryPath.of("/a"), file, List.of()));
            assertTrue(dup.getMessage().contains("/a already exists"), dup.getMessage());
            DirectoryEntry noHash = DirectoryEntry.withMode("n", 0100644).build();
            assertThrows(CatalogException.class, () -> c.insert(RepositoryPath.of("/n"), noHash, List.of()));
            DirectoryEntry badLink = DirectoryEntry.symlink("s", "target").size(3).build();
            CatalogException e = assertThrows(CatalogException.class,
                    () -> c.insert(RepositoryPath.of("/s"), badLink, List.of()));
            assertTrue(e.getMessage().contains("symlink size 3"), e.getMessage());
            // upstream's tar ingest: size 0, carried over by a merge
            c.insert(RepositoryPath.of("/s"), DirectoryEntry.symlink("s", "target").size(0).build(), List.of());
            DirectoryEntry chunked = DirectoryEntry.chunkedFile("c", 0644, 30, HashAlgorithm.SHA1).build();
            e = assertThrows(CatalogException.class, () -> c.insert(RepositoryPath.of("/c"), chunked,
                    List.of(new Chunk(0, 10, chunk(1)), new Chunk(11, 19, chunk(2)))));
            assertTrue(e.getMessage().contains("not contiguous"), e.getMessage());
            e = assertThrows(CatalogException.class, () -> c.insert(RepositoryPath.of("/c"), chunked,
                    List.of(new Chunk(0, 30, chunk(1)))));
            assertTrue(e.getMessage().contains("at least 2 chunks"), e.getMessage());
            DirectoryEntry nestedRootFlag = DirectoryEntry.directory("d", 0755).nestedRoot(true).build();
            assertThrows(CatalogException.class, () -> c.insert(RepositoryPath.of("/d"), nestedRootFlag, List.of()));
            assertThrows(CatalogException.class, () -> c.remove(RepositoryPath.ROOT));
            assertThrows(CatalogException.class, () -> c.remove(RepositoryPath.of("/missing")));
        }
    }

    @Test
    void readsOlderSchemaRevisionsAndUpgradesThemForWriting() throws Exception {
        Path file = tmp.resolve("old.sqlite");
        try (SqliteFile db = SqliteFile.create(file)) {
            // schema 2.5 revision 1: no xattr, no mtimens, no bind_mountpoints, fewer counters
            db.execute("CREATE TABLE properties (key TEXT, value TEXT, CONSTRAINT pk_properties PRIMARY KEY (key))");
            db.execute("CREATE TABLE catalog (md5path_1 INTEGER, md5path_2 INTEGER, parent_1 INTEGER, parent_2 INTEGER,"
                    + " hardlinks INTEGER, hash BLOB, size INTEGER, mode INTEGER, mtime INTEGER, flags INTEGER,"
                    + " name TEXT, symlink TEXT, uid INTEGER, gid INTEGER,"
                    + " CONSTRAINT pk_catalog PRIMARY KEY (md5path_1, md5path_2))");
            db.execute("CREATE TABLE chunks (md5path_1 INTEGER, md5path_2 INTEGER, offset INTEGER, size INTEGER,"
                    + " hash BLOB, CONSTRAINT pk_chunks PRIMARY KEY (md5path_1, md5path_2, offset, size))");
            db.execute("CREATE TABLE nested_catalogs (path TEXT, sha1 TEXT, size INTEGER,"
                    + " CONSTRAINT pk_nested_catalogs PRIMARY KEY (path))");
            db.execute("CREATE TABLE statistics (counter TEXT, value INTEGER,"
                    + " CONSTRAINT pk_statistics PRIMARY KEY (counter))");
            db.execute("INSERT INTO properties VALUES ('schema', '2.5'), ('schema_revision', '1'), ('revision', '9')");
            db.execute("INSERT INTO catalog VALUES (338333539836370388, 9098107892288553193, 0, 0, 2, NULL, 4096,"
                    + " 16877, 100, 1, '', '', 0, 0)");
            PathHash f = RepositoryPath.of("/f").pathHash();
            db.execute("INSERT INTO catalog VALUES (" + f.high() + ", " + f.low() + ", 338333539836370388,"
                    + " 9098107892288553193, 1, x'" + "ab".repeat(20) + "', 3, 33188, 100, 4, 'f', '', 0, 0)");
            db.execute("INSERT INTO statistics VALUES ('self_regular', 1), ('self_dir', 1), ('self_file_size', 3)");
        }
        try (Catalog c = Catalog.open(file)) {
            assertEquals(1, c.schemaRevision());
            DirectoryEntry e = c.lookup(RepositoryPath.of("/f")).orElseThrow();
            assertNull(e.mtimeNs());
            assertTrue(e.xattrs().isEmpty());
            assertEquals(0, c.counters().self(Field.XATTR));
            assertEquals(1, c.counters().self(Field.REGULAR));
        }
        try (WritableCatalog w = WritableCatalog.open(file, "old")) {
            w.insert(RepositoryPath.of("/g"), DirectoryEntry.regularFile("g", 0644, 1, bulk(1)).mtimeNs(5).build(),
                    List.of());
            w.finishRevision(null, 200);
        }
        try (Catalog c = Catalog.open(file)) {
            assertEquals(7, c.schemaRevision());
            assertEquals(10, c.revision());
            assertEquals(5, c.lookup(RepositoryPath.of("/g")).orElseThrow().mtimeNs());
            assertEquals(2, c.counters().self(Field.REGULAR));
            assertEquals(24, c.counterNames().size());
        }
    }

    @Test
    void refusesWhatIsNotACatalog() throws Exception {
        Path file = tmp.resolve("x.sqlite");
        try (SqliteFile db = SqliteFile.create(file)) {
            db.execute("CREATE TABLE properties (key TEXT, value TEXT)");
            db.execute("CREATE TABLE catalog (md5path_1 INTEGER)");
            db.execute("INSERT INTO properties VALUES ('schema', '3.0')");
        }
        CatalogException e = assertThrows(CatalogException.class, () -> Catalog.open(file));
        assertTrue(e.getMessage().contains("schema 3.0"), e.getMessage());
        Path other = tmp.resolve("y.sqlite");
        try (SqliteFile db = SqliteFile.create(other)) {
            db.execute("CREATE TABLE t (a INTEGER)");
        }
        assertThrows(CatalogException.class, () -> Catalog.open(other));
    }

    static ContentHash bulk(int seed) {
        return ContentHash.compute(HashAlgorithm.SHA1, new byte[] {(byte) seed}, ObjectSuffix.NONE);
    }

    static ContentHash chunk(int seed) {
        return ContentHash.compute(HashAlgorithm.SHA1, new byte[] {(byte) seed}, ObjectSuffix.PARTIAL);
    }

    private static Map<String, String> rows(Statement s, String sql) throws Exception {
        Map<String, String> out = new LinkedHashMap<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.put(rs.getString(1), rs.getString(2));
            }
        }
        return out;
    }

    private static List<String> columns(Statement s, String sql) throws Exception {
        List<String> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            ResultSetMetaData md = rs.getMetaData();
            for (int i = 1; i <= md.getColumnCount(); i++) {
                out.add(md.getColumnName(i));
            }
        }
        return out;
    }

    private static List<List<Object>> table(Statement s, String sql) throws Exception {
        List<List<Object>> out = new ArrayList<>();
        try (ResultSet rs = s.executeQuery(sql)) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                List<Object> row = new ArrayList<>();
                for (int i = 1; i <= n; i++) {
                    Object o = rs.getObject(i);
                    row.add(o instanceof Integer v ? Long.valueOf(v) : o instanceof byte[] b ? HexFormat.of().formatHex(b) : o);
                }
                out.add(row);
            }
        }
        return out;
    }

    @Test
    void xattrBlobRoundTripAndRefusals() {
        XattrList x = XattrList.of(Map.of("user.b", new byte[] {9}, "security.capability", new byte[] {1, 0, 0, 2}));
        byte[] blob = x.serialize();
        assertEquals(1, blob[0]);
        assertEquals(2, blob[1]);
        assertEquals(19, blob[2]); // "security.capability" sorts first
        assertEquals(x, XattrList.parse(blob));
        assertArrayEquals(new byte[] {9}, XattrList.parse(blob).get("user.b"));
        assertNull(XattrList.EMPTY.serialize());
        assertThrows(IllegalArgumentException.class, () -> XattrList.parse(new byte[] {2, 0}), "version");
        assertThrows(IllegalArgumentException.class, () -> XattrList.parse(new byte[] {1, 1, 3, 0, 'a'}), "truncated");
        assertThrows(IllegalArgumentException.class, () -> XattrList.parse(new byte[] {1, 0, 0}), "trailing");
        assertThrows(IllegalArgumentException.class, () -> XattrList.parse(new byte[] {1, 1, 0, 0}), "empty key");
        assertThrows(IllegalArgumentException.class, () -> XattrList.parse(new byte[] {1, 1, 1, 0, 0}), "NUL key");
        assertThrows(IllegalArgumentException.class,
                () -> XattrList.parse(new byte[] {1, 2, 1, 0, 'a', 1, 0, 'a'}), "duplicate");
        assertThrows(IllegalArgumentException.class, () -> XattrList.parse(new byte[] {1, 1, 1, 0, (byte) 0xff}),
                "not UTF-8");
        assertThrows(IllegalArgumentException.class, () -> XattrList.of(Map.of("k", new byte[256])));
        assertFalse(x.isEmpty());
    }
}
