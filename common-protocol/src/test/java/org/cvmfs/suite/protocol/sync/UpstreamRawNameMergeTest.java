package org.cvmfs.suite.protocol.sync;

import static org.cvmfs.suite.protocol.catalog.TestRepository.dir;
import static org.cvmfs.suite.protocol.catalog.TestRepository.p;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.TestRepository;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
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
 * A catalog holding rows as upstream's {@code sqlite3_bind_text} writes them, names and a symlink
 * target that are not UTF-8, is read, checked clean, and merged into by the gateway's diff and
 * merge; the rows nobody touched keep their bytes, the ones a publisher changed keep their names.
 */
class UpstreamRawNameMergeTest {
    static final byte[] FILE = HexFormat.of().parseHex("61ff62c3");      // a\xffb\xc3
    static final byte[] LINK = HexFormat.of().parseHex("6cc3");          // l\xc3
    static final byte[] TARGET = HexFormat.of().parseHex("78ff2fc379");  // x\xff/\xc3y
    static final byte[] NEW = HexFormat.of().parseHex("6efe");           // n\xfe
    static final long MTIME = 1_700_000_000L;

    @TempDir
    Path dir;
    TestRepository repo;
    ContentHash upstreamHead;
    ContentHash fileContent;

    @BeforeEach
    void upstreamWritesRawRows() throws Exception {
        repo = new TestRepository(dir);
        repo.edit(m -> {
            m.addDirectory(p("/sw"), dir("sw"));
            m.addFile(p("/sw/plain"), repo.file("plain", "plain").build(), List.of());
            m.addDirectory(p("/other"), dir("other"));
        });
        Path file = dir.resolve("upstream.sqlite");
        Files.write(file, Zlib.inflate(repo.store.readStored(repo.head), 1 << 26));
        byte[] content = "upstream".getBytes(StandardCharsets.US_ASCII);
        fileContent = repo.store.putCompressed(content, HashAlgorithm.SHA1, ObjectSuffix.NONE);
        try (SqliteFile db = SqliteFile.openWritable(file)) {
            // flags 4 = file, 4|8 = link (SHA-1); hardlinks = linkcount 1; mtimens and xattr NULL
            insertRow(db, raw("/sw/", FILE), 4, 0100644, content.length, fileContent.digest(), FILE, new byte[0]);
            insertRow(db, raw("/sw/", LINK), 12, 0120777, TARGET.length, null, LINK, TARGET);
            db.execute("UPDATE statistics SET value = value + 1 WHERE counter IN"
                    + " ('self_regular', 'self_symlink')");
            db.execute("UPDATE statistics SET value = value + " + content.length
                    + " WHERE counter = 'self_file_size'");
        }
        byte[] bytes = Files.readAllBytes(file);
        repo.head = repo.store.putCompressed(bytes, HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
        repo.headSize = bytes.length;
        upstreamHead = repo.head;
    }

    @Test
    void upstreamRawRowsAreReadAndCheckedClean() {
        assertEquals(List.of(), repo.verify());
        try (CatalogHierarchy tree = repo.read()) {
            DirectoryEntry f = tree.lookup(p("/sw").child(RawName.decode(FILE))).orElseThrow();
            assertArrayEquals(FILE, RawName.encode(f.name()));
            assertEquals(fileContent, f.hash());
            DirectoryEntry l = tree.lookup(p("/sw").child(RawName.decode(LINK))).orElseThrow();
            assertArrayEquals(TARGET, RawName.encode(l.symlink()));
        }
    }

    @Test
    void gatewayMergeKeepsUntouchedRawRowsAndChangesTouchedOnesByName() throws Exception {
        ContentHash other = publish(upstreamHead, m -> m.addFile(p("/other/o"), repo.file("o", "o").build(), List.of()));
        receive(upstreamHead, other, p("/other"));
        String untouchedBefore = rowHex(repo.head, raw("/sw/", LINK));
        // a second publisher, leased on /sw from the upstream head: replaces the raw file, adds another
        RepositoryPath rawFile = p("/sw").child(RawName.decode(FILE));
        ContentHash sw = publish(upstreamHead, m -> {
            m.replaceFile(rawFile, repo.file(RawName.decode(FILE), "replaced").build(), List.of());
            m.addSymlink(p("/sw").child(RawName.decode(NEW)), DirectoryEntry.symlink(RawName.decode(NEW),
                    RawName.decode(TARGET)).build());
        });
        receive(upstreamHead, sw, p("/sw"));

        assertEquals(untouchedBefore, rowHex(repo.head, raw("/sw/", LINK)));
        try (CatalogHierarchy tree = repo.read()) {
            List<String> names = new ArrayList<>();
            tree.listing(p("/sw")).forEach(e -> names.add(HexFormat.of().formatHex(RawName.encode(e.name()))));
            assertEquals(List.of(HexFormat.of().formatHex(FILE), HexFormat.of().formatHex(LINK),
                    HexFormat.of().formatHex(NEW), HexFormat.of().formatHex("plain".getBytes(StandardCharsets.US_ASCII))),
                    names.stream().sorted().toList());
            DirectoryEntry replaced = tree.lookup(rawFile).orElseThrow();
            assertEquals("replaced".length(), replaced.size());
            assertArrayEquals(TARGET, RawName.encode(tree.lookup(p("/sw").child(RawName.decode(NEW))).orElseThrow().symlink()));
            assertTrue(tree.lookup(p("/other/o")).isPresent());
        }
        assertEquals("text:" + HexFormat.of().withUpperCase().formatHex(NEW) + ":text:"
                + HexFormat.of().withUpperCase().formatHex(TARGET), rowHex(repo.head, raw("/sw/", NEW)));
    }

    private ContentHash publish(ContentHash from, Consumer<WritableCatalogManager> edits) {
        try (WritableCatalogManager m = WritableCatalogManager.open(repo.source, from, repo.tmp)) {
            edits.accept(m);
            return m.commit(repo.store, HashAlgorithm.SHA1, Clock.fixed(Instant.ofEpochSecond(1_900_000_000L), ZoneOffset.UTC))
                    .rootHash();
        }
    }

    /** What the gateway's native receiver does with a commit: diff inside the lease, merged onto the head. */
    private void receive(ContentHash publisherBase, ContentHash upload, RepositoryPath lease) {
        try (CatalogHierarchy before = CatalogHierarchy.open(repo.source, publisherBase, repo.tmp);
             CatalogHierarchy after = CatalogHierarchy.open(repo.source, upload, repo.tmp);
             WritableCatalogManager target = WritableCatalogManager.open(repo.source, repo.head, repo.tmp)) {
            CatalogDiff.run(before, after, lease, new CatalogMerge(target));
            var c = target.commit(repo.store, HashAlgorithm.SHA1, Clock.systemUTC());
            repo.head = c.rootHash();
            repo.headSize = c.rootSize();
        }
        assertEquals(List.of(), repo.verify());
    }

    private String rowHex(ContentHash catalog, byte[] path) throws Exception {
        Path file = Files.createTempFile(dir, "head", ".sqlite");
        Files.write(file, Zlib.inflate(repo.store.readStored(catalog), 1 << 26));
        PathHash key = PathHash.of(path);
        try (SqliteFile db = SqliteFile.openReadOnly(file);
             PreparedStatement s = db.prepare("SELECT typeof(name) || ':' || hex(name) || ':' || typeof(symlink) || ':'"
                     + " || hex(symlink) FROM catalog WHERE md5path_1 = ? AND md5path_2 = ?")) {
            s.setLong(1, key.high());
            s.setLong(2, key.low());
            try (ResultSet rs = s.executeQuery()) {
                assertTrue(rs.next(), "no row for " + HexFormat.of().formatHex(path));
                return rs.getString(1);
            }
        }
    }

    private static byte[] raw(String prefix, byte[] name) {
        byte[] p = prefix.getBytes(StandardCharsets.US_ASCII);
        byte[] out = new byte[p.length + name.length];
        System.arraycopy(p, 0, out, 0, p.length);
        System.arraycopy(name, 0, out, p.length, name.length);
        return out;
    }

    /** One row as upstream's SqlDirentInsert binds it: name and symlink through sqlite3_bind_text. */
    private static void insertRow(SqliteFile db, byte[] path, int flags, int mode, long size, byte[] hash,
                                  byte[] name, byte[] symlink) throws Exception {
        PathHash key = PathHash.of(path);
        PathHash parent = PathHash.of(java.util.Arrays.copyOf(path, lastSlash(path)));
        try (PreparedStatement s = db.prepare("INSERT INTO catalog (md5path_1, md5path_2, parent_1, parent_2, hash,"
                + " hardlinks, size, mode, mtime, flags, name, symlink, uid, gid)"
                + " VALUES (?, ?, ?, ?, ?, 1, ?, ?, ?, ?, CAST(? AS TEXT), CAST(? AS TEXT), 0, 0)")) {
            s.setLong(1, key.high());
            s.setLong(2, key.low());
            s.setLong(3, parent.high());
            s.setLong(4, parent.low());
            s.setBytes(5, hash);
            s.setLong(6, size);
            s.setLong(7, mode);
            s.setLong(8, MTIME);
            s.setLong(9, flags);
            s.setBytes(10, name);
            if (symlink.length == 0) {
                s.setString(11, "");
            } else {
                s.setBytes(11, symlink);
            }
            s.executeUpdate();
        }
    }

    private static int lastSlash(byte[] path) {
        for (int i = path.length - 1; i >= 0; i--) {
            if (path[i] == '/') {
                return i;
            }
        }
        throw new IllegalArgumentException("no slash");
    }
}
