package org.cvmfs.suite.protocol.catalog;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.name.RawName;
import org.cvmfs.suite.protocol.sqlite.RawText;
import org.cvmfs.suite.protocol.sqlite.SqliteException;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * Read access to one file catalog (an inflated SQLite database). Reads schema 2.5 up to
 * revision 7 and the older revisions and schema 2.4 that upstream readers accept; columns and
 * counters that an older revision lacks read as absent or 0. Names, symlink targets and nested
 * catalog paths are read as the bytes upstream stored ({@link RawText}). Not thread-safe.
 */
public final class Catalog implements AutoCloseable {
    private final SqliteFile db;
    private final boolean deleteOnClose;
    private final String label;
    private final boolean hasMtimeNs;
    private final boolean hasXattr;
    private final boolean hasNestedSize;
    /** The query of every row, built once: a query text built per lookup was a string to join and hash each time. */
    private final String selectRows;
    private final String selectRowByKey;
    private final String selectRowsByParent;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    Catalog(SqliteFile db, boolean deleteOnClose, String label) {
        this.db = db;
        this.deleteOnClose = deleteOnClose;
        this.label = label;
        if (!db.hasTable("catalog") || !db.hasTable("properties")) {
            throw new CatalogException(label + ": not a catalog (tables catalog and properties missing)");
        }
        checkSchema();
        Set<String> columns = CatalogSchema.columns(db, "catalog");
        hasMtimeNs = columns.contains("mtimens");
        hasXattr = columns.contains("xattr");
        hasNestedSize = db.hasTable("nested_catalogs") && CatalogSchema.columns(db, "nested_catalogs").contains("size");
        selectRows = "SELECT md5path_1, md5path_2, parent_1, parent_2, hardlinks, hash, size, mode, mtime, "
                + (hasMtimeNs ? "mtimens" : "NULL") + ", flags, " + RawText.read("name") + ", "
                + RawText.read("symlink") + ", uid, gid, "
                + (hasXattr ? "xattr" : "NULL") + " FROM catalog";
        selectRowByKey = selectRows + " WHERE md5path_1 = ? AND md5path_2 = ?";
        selectRowsByParent = selectRows + " WHERE parent_1 = ? AND parent_2 = ?";
    }

    /** Opens a catalog file read-only. */
    public static Catalog open(Path file) {
        SqliteFile db = SqliteFile.openReadOnly(file);
        return guarded(db, false, file.toString());
    }

    /**
     * Opens inflated catalog bytes through a temporary file under {@code tempDir}, deleted again
     * on {@link #close()}. {@code label} names the catalog in messages (e.g. its hash).
     */
    public static Catalog fromBytes(byte[] inflated, Path tempDir, String label) {
        SqliteFile db;
        try {
            db = SqliteFile.fromBytes(inflated, tempDir, "catalog", false);
        } catch (SqliteException e) {
            throw new CatalogException(label + ": not an SQLite database: " + e.getMessage(), e);
        }
        return guarded(db, true, label);
    }

    /**
     * Fetches catalog {@code hash} from {@code source} (hash-verified there), inflates it into a
     * new file under {@code tempDir} as it reads (never whole in the heap) and opens that file
     * read-only; the file is deleted on {@link #close()} or failure.
     */
    public static Catalog fetch(RepositorySource source, ContentHash hash, Path tempDir, String label) {
        Path file = SqliteFile.newStagingPath(tempDir, "catalog");
        CatalogObjects.stage(source, hash, file);
        return openStaged(file, label);
    }

    /** Opens a catalog file staged for this reader alone, read-only; it is deleted on {@link #close()} or failure. */
    private static Catalog openStaged(Path file, String label) {
        SqliteFile db;
        try {
            db = SqliteFile.openReadOnly(file);
        } catch (SqliteException e) {
            throw SqliteFile.deleteAfter(file, new CatalogException(label + ": not an SQLite database: " + e.getMessage(), e));
        }
        return guarded(db, true, label);
    }

    private static Catalog guarded(SqliteFile db, boolean deleteOnClose, String label) {
        try {
            return new Catalog(db, deleteOnClose, label);
        } catch (RuntimeException e) {
            db.close();
            if (deleteOnClose) {
                SqliteFile.delete(db.path());
            }
            if (e instanceof SqliteException) {
                throw new CatalogException(label + ": not a readable catalog: " + e.getMessage(), e);
            }
            throw e;
        }
    }

    /** How messages name this catalog. */
    public String label() {
        return label;
    }

    // ---- properties ----

    public Optional<String> property(String key) {
        try {
            return db.property(key);
        } catch (SqliteException e) {
            throw new CatalogException(label + ": " + e.getMessage(), e);
        }
    }

    public String schema() {
        return property(CatalogSchema.PROP_SCHEMA).orElse("");
    }

    /** 0 when absent (schema revision 0 had no such property). */
    public int schemaRevision() {
        return (int) numericProperty(CatalogSchema.PROP_SCHEMA_REVISION).orElse(0);
    }

    public long revision() {
        return numericProperty(CatalogSchema.PROP_REVISION).orElseThrow(
                () -> new CatalogException(label + ": property revision is missing"));
    }

    public long lastModified() {
        return numericProperty(CatalogSchema.PROP_LAST_MODIFIED).orElse(0);
    }

    /** The predecessor catalog (suffix C); 40 zeros for a nested catalog's first publish. */
    public Optional<ContentHash> previousRevision() {
        return property(CatalogSchema.PROP_PREVIOUS_REVISION).filter(s -> !s.isEmpty()).map(s -> {
            try {
                return ContentHash.parse(s, ObjectSuffix.CATALOG);
            } catch (IllegalArgumentException e) {
                throw new CatalogException(label + ": property previous_revision: " + e.getMessage());
            }
        });
    }

    /** The mountpoint this catalog serves; the root path when {@code root_prefix} is absent. */
    public RepositoryPath rootPrefix() {
        Optional<String> p = property(CatalogSchema.PROP_ROOT_PREFIX);
        if (p.isEmpty() || p.get().isEmpty() || p.get().equals("/")) {
            return RepositoryPath.ROOT;
        }
        try {
            return RepositoryPath.of(p.get());
        } catch (IllegalArgumentException e) {
            throw new CatalogException(label + ": property root_prefix: " + e.getMessage());
        }
    }

    /** The {@code TTL} property (seconds), present in root catalogs after their first publish. */
    public OptionalLong ttl() {
        return numericProperty(CatalogSchema.PROP_TTL);
    }

    private OptionalLong numericProperty(String key) {
        Optional<String> v = property(key);
        if (v.isEmpty()) {
            return OptionalLong.empty();
        }
        try {
            long n = Long.parseLong(v.get().trim());
            if (n < 0) {
                throw new NumberFormatException("negative");
            }
            return OptionalLong.of(n);
        } catch (NumberFormatException e) {
            throw new CatalogException(label + ": property " + key + " is not a count: '"
                    + RepositoryPath.printable(v.get()) + "'");
        }
    }

    private void checkSchema() {
        String schema = property(CatalogSchema.PROP_SCHEMA).orElseThrow(
                () -> new CatalogException(label + ": property schema is missing"));
        double version;
        try {
            version = Double.parseDouble(schema.trim());
        } catch (NumberFormatException e) {
            throw new CatalogException(label + ": property schema is not a version: '" + RepositoryPath.printable(schema) + "'");
        }
        if (version < CatalogSchema.OLDEST_SCHEMA - 0.0001 || version > CatalogSchema.NEWEST_SCHEMA + 0.0001) {
            throw new CatalogException(label + ": catalog schema " + schema + " is not supported (2.4 to 2.5)");
        }
        int revision = schemaRevision();
        if (revision > CatalogSchema.REVISION) {
            throw new CatalogException(label + ": schema_revision " + revision + " is newer than "
                    + CatalogSchema.REVISION);
        }
    }

    // ---- entries ----

    /** The entry at {@code path} if this catalog has a row for it. */
    public Optional<DirectoryEntry> lookup(RepositoryPath path) {
        return row(path.pathHash()).map(r -> decode(path, r));
    }

    /** The entries whose parent is {@code directory}, sorted by name as the diff expects. */
    public List<DirectoryEntry> listing(RepositoryPath directory) {
        List<DirectoryEntry> out = new ArrayList<>();
        for (CatalogRow r : childRows(directory.pathHash())) {
            out.add(decode(childPath(directory, r), r));
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return out;
    }

    /** The chunk list of a chunked file at {@code path}, sorted by offset; empty for other entries. */
    public List<Chunk> chunks(RepositoryPath path) {
        Optional<CatalogRow> r = row(path.pathHash());
        if (r.isEmpty()) {
            return List.of();
        }
        HashAlgorithm algorithm;
        try {
            algorithm = new EntryFlags(r.get().flags()).hashAlgorithm();
        } catch (IllegalArgumentException e) {
            throw new CatalogException(label + ": row " + path + ": " + e.getMessage());
        }
        return chunks(path, algorithm);
    }

    List<Chunk> chunks(RepositoryPath path, HashAlgorithm algorithm) {
        PathHash key = path.pathHash();
        List<Chunk> out = new ArrayList<>();
        try {
            try (ResultSet rs = queryByKey(
                    "SELECT offset, size, hash FROM chunks WHERE md5path_1 = ? AND md5path_2 = ? ORDER BY offset", key)) {
                while (rs.next()) {
                    byte[] blob = rs.getBytes(3);
                    try {
                        if (blob == null || blob.length != HashAlgorithm.DIGEST_LENGTH) {
                            throw new IllegalArgumentException("chunk hash blob has "
                                    + (blob == null ? "NULL" : blob.length + " bytes"));
                        }
                        out.add(new Chunk(rs.getLong(1), rs.getLong(2),
                                ContentHash.fromBlob(blob, algorithm, ObjectSuffix.PARTIAL)));
                    } catch (IllegalArgumentException e) {
                        throw new CatalogException(label + ": chunk of " + path + ": " + e.getMessage());
                    }
                }
            }
        } catch (SQLException e) {
            throw sqlFailure("read chunks of " + path, e);
        }
        return out;
    }

    /** Number of chunk rows stored for {@code path}. */
    int chunkCount(PathHash key) {
        try {
            try (ResultSet rs = queryByKey("SELECT count(*) FROM chunks WHERE md5path_1 = ? AND md5path_2 = ?", key)) {
                rs.next();
                return rs.getInt(1);
            }
        } catch (SQLException e) {
            throw sqlFailure("count chunks", e);
        }
    }

    // ---- nested catalogs and statistics ----

    /** The direct child catalogs listed in {@code nested_catalogs}, sorted by path. */
    public List<NestedCatalogRef> nestedCatalogs() {
        List<NestedCatalogRef> out = new ArrayList<>();
        if (!db.hasTable("nested_catalogs")) {
            return out;
        }
        try {
            PreparedStatement s = statement("SELECT " + RawText.read("path") + ", sha1, " + (hasNestedSize ? "size" : "0")
                    + " FROM nested_catalogs ORDER BY path");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    out.add(nestedRef(RawText.get(rs, 1), rs.getString(2), rs.getLong(3)));
                }
            }
        } catch (SQLException e) {
            throw sqlFailure("read nested catalogs", e);
        }
        return out;
    }

    public Optional<NestedCatalogRef> nestedCatalog(RepositoryPath mountpoint) {
        return nestedCatalogs().stream().filter(r -> r.path().equals(mountpoint)).findFirst();
    }

    private NestedCatalogRef nestedRef(String path, String sha1, long size) {
        try {
            RepositoryPath p = RepositoryPath.of(path == null ? "" : path);
            if (sha1 == null || sha1.isEmpty()) {
                throw new IllegalArgumentException("no hash (the subtree is unreachable)");
            }
            return new NestedCatalogRef(p, ContentHash.parse(sha1, ObjectSuffix.CATALOG), size);
        } catch (IllegalArgumentException e) {
            throw new CatalogException(label + ": nested catalog row '" + RepositoryPath.printable(String.valueOf(path))
                    + "': " + e.getMessage());
        }
    }

    /** The stored statistics; counters an older revision lacks read as 0. */
    public CatalogCounters counters() {
        return CatalogCounters.fromStatistics(counterRows());
    }

    /** Names of the statistics rows present, to tell a missing counter from a zero one. */
    Set<String> counterNames() {
        return counterRows().keySet();
    }

    private Map<String, Long> counterRows() {
        Map<String, Long> rows = new HashMap<>();
        if (!db.hasTable("statistics")) {
            return rows;
        }
        try {
            PreparedStatement s = statement("SELECT counter, value FROM statistics");
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    rows.put(rs.getString(1), rs.getLong(2));
                }
            }
        } catch (SQLException e) {
            throw sqlFailure("read statistics", e);
        }
        return rows;
    }

    public long rowCount() {
        try {
            PreparedStatement s = statement("SELECT count(*) FROM catalog");
            try (ResultSet rs = s.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        } catch (SQLException e) {
            throw sqlFailure("count rows", e);
        }
    }

    // ---- raw rows ----

    Optional<CatalogRow> row(PathHash key) {
        try {
            try (ResultSet rs = queryByKey(selectRowByKey, key)) {
                return rs.next() ? Optional.of(readRow(rs)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw sqlFailure("look up a row", e);
        }
    }

    /**
     * True if a row has this key: {@link #row} without reading the row's columns, which a
     * publication adding thousands of entries asks once per entry.
     */
    boolean hasRow(PathHash key) {
        try {
            try (ResultSet rs = queryByKey("SELECT 1 FROM catalog WHERE md5path_1 = ? AND md5path_2 = ?", key)) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw sqlFailure("look up a row", e);
        }
    }

    List<CatalogRow> childRows(PathHash parent) {
        List<CatalogRow> out = new ArrayList<>();
        try {
            try (ResultSet rs = queryByKey(selectRowsByParent, parent)) {
                while (rs.next()) {
                    out.add(readRow(rs));
                }
            }
        } catch (SQLException e) {
            throw sqlFailure("list rows", e);
        }
        return out;
    }

    /** Every row of the catalog, for finding rows that no walk reaches. */
    List<CatalogRow> allRows() {
        List<CatalogRow> out = new ArrayList<>();
        try (PreparedStatement s = db.prepare(selectRows);
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.add(readRow(rs));
            }
        } catch (SQLException e) {
            throw sqlFailure("read all rows", e);
        }
        return out;
    }

    /** Keys of chunk rows, with their counts, for finding chunks of entries that are not chunked. */
    Map<PathHash, Integer> chunkOwners() {
        Map<PathHash, Integer> out = new HashMap<>();
        try (PreparedStatement s = db.prepare("SELECT md5path_1, md5path_2, count(*) FROM chunks GROUP BY md5path_1, md5path_2");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                out.put(new PathHash(rs.getLong(1), rs.getLong(2)), rs.getInt(3));
            }
        } catch (SQLException e) {
            throw sqlFailure("read chunk owners", e);
        }
        return out;
    }

    private CatalogRow readRow(ResultSet rs) throws SQLException {
        long mtimeNs = rs.getLong(10);
        Integer ns = rs.wasNull() ? null : (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, mtimeNs));
        long flags = rs.getLong(11);
        long mode = rs.getLong(8);
        return new CatalogRow(new PathHash(rs.getLong(1), rs.getLong(2)), new PathHash(rs.getLong(3), rs.getLong(4)),
                rs.getLong(5), rs.getBytes(6), rs.getLong(7),
                (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, mode)),
                rs.getLong(9), ns,
                (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, flags)),
                RawText.get(rs, 12), RawText.get(rs, 13), rs.getLong(14), rs.getLong(15), rs.getBytes(16));
    }

    static RepositoryPath childPath(RepositoryPath directory, CatalogRow r) {
        return RepositoryPath.of(directory.value() + "/" + (r.name() == null ? "" : r.name()));
    }

    /** Decodes a raw row found at {@code path}; every violation is a {@link CatalogException} naming it. */
    DirectoryEntry decode(RepositoryPath path, CatalogRow r) {
        try {
            if (r.name() == null) {
                throw new IllegalArgumentException("name is NULL");
            }
            if (r.symlink() == null) {
                throw new IllegalArgumentException("symlink is NULL");
            }
            EntryFlags flags = new EntryFlags(r.flags());
            EntryKind flagKind = flags.kind();
            EntryKind modeKind = EntryKind.ofMode(r.mode());
            if (flagKind != modeKind) {
                throw new IllegalArgumentException("flags " + r.flags() + " say " + flagKind + " but mode 0"
                        + Integer.toOctalString(r.mode()) + " says " + modeKind);
            }
            HashAlgorithm algorithm = flags.hashAlgorithm();
            ContentHash hash = null;
            if (r.hash() != null) {
                if (r.hash().length != HashAlgorithm.DIGEST_LENGTH) {
                    throw new IllegalArgumentException("hash blob has " + r.hash().length + " bytes, expected "
                            + HashAlgorithm.DIGEST_LENGTH);
                }
                hash = ContentHash.fromBlob(r.hash(), algorithm, ObjectSuffix.NONE);
            }
            long linkcount = r.hardlinks() & 0xFFFFFFFFL;
            if (linkcount > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("linkcount " + linkcount + " is implausible");
            }
            return new DirectoryEntry(r.name(), r.mode(), r.size(), r.mtime(), r.mtimeNs(), r.uid(), r.gid(),
                    (int) linkcount, r.hardlinks() >>> 32, hash, algorithm, r.symlink(),
                    flags.isNestedMountpoint(), flags.isNestedRoot(), flags.isBindMountpoint(), flags.isHidden(),
                    flags.isChunked(), flags.isExternal(), flags.isDirectIo(), flags.isUncompressed(),
                    r.xattr() == null ? XattrList.EMPTY : XattrList.parse(r.xattr()));
        } catch (IllegalArgumentException e) {
            throw new CatalogException(label + ": row " + (path.isRoot() ? "(root)" : RawName.printable(path.value())) + ": "
                    + e.getMessage(), e);
        }
    }

    // ---- plumbing ----

    SqliteFile database() {
        return db;
    }

    /** Runs a cached query whose two parameters are the halves of a path hash. */
    private ResultSet queryByKey(String sql, PathHash key) throws SQLException {
        PreparedStatement s = statement(sql);
        s.setLong(1, key.high());
        s.setLong(2, key.low());
        return s.executeQuery();
    }

    PreparedStatement statement(String sql) {
        return statements.computeIfAbsent(sql, db::prepare);
    }

    CatalogException sqlFailure(String what, SQLException e) {
        return new CatalogException(label + ": cannot " + what + ": " + e.getMessage(), e);
    }

    /** Closes prepared statements only; the owner closes the database. */
    void closeStatements() {
        for (PreparedStatement s : statements.values()) {
            try {
                s.close();
            } catch (SQLException ignored) {
                // closing a statement of a database about to be closed cannot fail in a way we can act on
            }
        }
        statements.clear();
    }

    @Override
    public void close() {
        closeStatements();
        db.close();
        if (deleteOnClose) {
            SqliteFile.delete(db.path());
        }
    }


    @Override
    public String toString() {
        return label;
    }
}
