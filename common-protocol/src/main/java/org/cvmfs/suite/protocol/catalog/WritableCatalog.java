package org.cvmfs.suite.protocol.catalog;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.name.RawName;
import org.cvmfs.suite.protocol.sqlite.RawText;
import org.cvmfs.suite.protocol.sqlite.SqliteException;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;

/**
 * One catalog being written: a staged SQLite file edited row by row inside one transaction,
 * with its 24 statistics kept exact in memory as rows change and written out on finish. Rows
 * are addressed by full repository path. The {@code subtree_*} half belongs to whoever manages
 * the nested catalogs ({@link #addToSubtree}). Not thread-safe.
 */
public final class WritableCatalog implements AutoCloseable {
    /** Value of {@code previous_revision} for a catalog without predecessor. */
    static final String NULL_HASH_TEXT = "0".repeat(2 * HashAlgorithm.DIGEST_LENGTH);
    private static final String ROW_COLUMNS = "md5path_1, md5path_2, parent_1, parent_2, hardlinks, hash, size, mode,"
            + " mtime, mtimens, flags, name, symlink, uid, gid, xattr";

    private final SqliteFile db;
    private final Catalog reader;
    private final RepositoryPath rootPrefix;
    private CatalogCounters counters;
    private boolean open = true;

    private WritableCatalog(SqliteFile db, Catalog reader) {
        this.db = db;
        this.reader = reader;
        this.rootPrefix = reader.rootPrefix();
        this.counters = reader.counters();
    }

    /**
     * Creates the empty root catalog of a new repository exactly as spec 6.11 and 12.2 describe:
     * one root directory row (mode 040755, size 4096, linkcount 2, flags 1), no TTL, revision 0.
     */
    public static WritableCatalog createEmptyRoot(Path file, long now, long uid, long gid) {
        DirectoryEntry root = DirectoryEntry.directory("", 0755).mtime(now).uid(uid).gid(gid).build();
        return create(file, RepositoryPath.ROOT, root, now);
    }

    /**
     * Creates a catalog for {@code mountpoint} holding only its root row, revision 0. For a
     * nested catalog the row gets the nested-root flag (33) and the parent path's MD5, and the
     * properties get {@code root_prefix}; the root catalog's row has parent 0/0.
     */
    public static WritableCatalog create(Path file, RepositoryPath mountpoint, DirectoryEntry rootEntry, long now) {
        if (!rootEntry.isDirectory()) {
            throw new CatalogException("the root entry of catalog '" + mountpoint + "' must be a directory, not "
                    + rootEntry.kind());
        }
        if (!rootEntry.name().equals(mountpoint.name())) {
            throw new CatalogException("the root entry of catalog '" + mountpoint + "' is named '"
                    + rootEntry.name() + "'");
        }
        DirectoryEntry row = rootEntry.toBuilder().nestedMountpoint(false).bindMountpoint(false)
                .nestedRoot(!mountpoint.isRoot()).build();
        SqliteFile db = SqliteFile.create(file);
        try {
            begin(db);
            for (String ddl : CatalogSchema.CREATE) {
                db.execute(ddl);
            }
            db.setProperty(CatalogSchema.PROP_SCHEMA, CatalogSchema.SCHEMA);
            db.setProperty(CatalogSchema.PROP_SCHEMA_REVISION, Integer.toString(CatalogSchema.REVISION));
            db.setProperty(CatalogSchema.PROP_REVISION, "0");
            db.setProperty(CatalogSchema.PROP_LAST_MODIFIED, Long.toString(now));
            if (!mountpoint.isRoot()) {
                db.setProperty(CatalogSchema.PROP_ROOT_PREFIX, mountpoint.value());
            }
            WritableCatalog c = new WritableCatalog(db, new Catalog(db, false, label(mountpoint)));
            PathHash parent = mountpoint.isRoot() ? PathHash.NONE : mountpoint.parent().pathHash();
            c.insertRow(mountpoint, mountpoint.pathHash(), parent, row);
            c.counters = CatalogCounters.ofEntry(row, 0);
            return c;
        } catch (RuntimeException e) {
            db.close();
            SqliteFile.delete(file);
            throw e;
        }
    }

    /** Opens an inflated existing catalog for editing, migrating an older schema revision first. */
    public static WritableCatalog open(Path file, String label) {
        SqliteFile db;
        try {
            db = SqliteFile.openWritable(file);
        } catch (SqliteException e) {
            throw new CatalogException(label + ": not an SQLite database: " + e.getMessage(), e);
        }
        try {
            begin(db);
            Catalog probe = new Catalog(db, false, label);
            if (probe.schemaRevision() < CatalogSchema.REVISION || !CatalogSchema.SCHEMA.equals(probe.schema())) {
                probe.closeStatements();
                CatalogSchema.upgrade(db);
                probe = new Catalog(db, false, label);
            }
            return new WritableCatalog(db, probe);
        } catch (SqliteException e) {
            db.close();
            throw new CatalogException(label + ": not a readable catalog: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            db.close();
            throw e;
        }
    }

    private static void begin(SqliteFile db) {
        // A staged copy needs no durability: it is compressed and stored once finished.
        db.execute("PRAGMA synchronous = OFF");
        try {
            db.connection().setAutoCommit(false);
        } catch (SQLException e) {
            throw new CatalogException("cannot start a transaction on " + db.path() + ": " + e.getMessage(), e);
        }
    }

    private static String label(RepositoryPath mountpoint) {
        return mountpoint.isRoot() ? "root catalog" : "catalog " + mountpoint;
    }

    /** Reads through the same connection, seeing every edit made so far. */
    public Catalog reader() {
        return reader;
    }

    public RepositoryPath rootPrefix() {
        return rootPrefix;
    }

    public Path file() {
        return db.path();
    }

    /** The statistics as they will be written: exact for the rows, subtree as maintained. */
    public CatalogCounters counters() {
        return counters;
    }

    // ---- rows ----

    /** Adds the row of {@code path} (below this catalog's root) with its chunk rows, row first. */
    public void insert(RepositoryPath path, DirectoryEntry entry, List<Chunk> chunks) {
        requireInsertable(path, entry, chunks);
        PathHash key = path.pathHash();
        if (reader.hasRow(key)) {
            throw new CatalogException(label() + ": " + path + " already exists");
        }
        insertRows(path, key, path.parent().pathHash(), entry, chunks);
    }

    /** True if this catalog has a row at {@code key}. */
    boolean contains(PathHash key) {
        requireOpen();
        return reader.hasRow(key);
    }

    /**
     * {@link #insert} of a path the caller has just found absent ({@link #contains}), with its
     * path hash and its parent's: what a publication adding thousands of entries does per entry
     * (one query, no row decoded, each hash computed once).
     */
    void insertAbsent(RepositoryPath path, PathHash key, PathHash parentKey, DirectoryEntry entry, List<Chunk> chunks) {
        requireInsertable(path, entry, chunks);
        insertRows(path, key, parentKey, entry, chunks);
    }

    private void requireInsertable(RepositoryPath path, DirectoryEntry entry, List<Chunk> chunks) {
        requireOpen();
        if (!path.isStrictlyUnder(rootPrefix)) {
            throw new CatalogException(label() + ": cannot add " + path + ", which is outside the catalog");
        }
        checkWritable(path, entry, chunks);
    }

    private void insertRows(RepositoryPath path, PathHash key, PathHash parentKey, DirectoryEntry entry, List<Chunk> chunks) {
        insertRow(path, key, parentKey, entry);
        insertChunks(key, chunks);
        counters = counters.plus(CatalogCounters.ofEntry(entry, chunks.size()));
    }

    /** Replaces the row of {@code path} and its chunk rows. */
    public void update(RepositoryPath path, DirectoryEntry entry, List<Chunk> chunks) {
        requireOpen();
        checkWritable(path, entry, chunks);
        DirectoryEntry old = existing(path);
        PathHash key = path.pathHash();
        int oldChunks = reader.chunkCount(key);
        deleteChunks(key);
        try {
            PreparedStatement s = reader.statement("UPDATE catalog SET hardlinks = ?, hash = ?, size = ?, mode = ?,"
                    + " mtime = ?, mtimens = ?, flags = ?, name = " + RawText.BIND + ", symlink = " + RawText.BIND
                    + ", uid = ?, gid = ?, xattr = ?"
                    + " WHERE md5path_1 = ? AND md5path_2 = ?");
            bindAttributes(s, 1, entry);
            s.setLong(13, key.high());
            s.setLong(14, key.low());
            s.executeUpdate();
        } catch (SQLException e) {
            throw reader.sqlFailure("update " + path, e);
        }
        insertChunks(key, chunks);
        counters = counters.minus(CatalogCounters.ofEntry(old, oldChunks))
                .plus(CatalogCounters.ofEntry(entry, chunks.size()));
    }

    /** Deletes the row of {@code path} and its chunk rows (children are the caller's business). */
    public void remove(RepositoryPath path) {
        requireOpen();
        if (path.equals(rootPrefix)) {
            throw new CatalogException(label() + ": the catalog root " + path + " cannot be removed");
        }
        DirectoryEntry old = existing(path);
        PathHash key = path.pathHash();
        int oldChunks = reader.chunkCount(key);
        deleteChunks(key);
        try {
            PreparedStatement s = reader.statement("DELETE FROM catalog WHERE md5path_1 = ? AND md5path_2 = ?");
            s.setLong(1, key.high());
            s.setLong(2, key.low());
            s.executeUpdate();
        } catch (SQLException e) {
            throw reader.sqlFailure("remove " + path, e);
        }
        counters = counters.minus(CatalogCounters.ofEntry(old, oldChunks));
    }

    private DirectoryEntry existing(RepositoryPath path) {
        return reader.lookup(path).orElseThrow(() -> new CatalogException(label() + ": " + path + " does not exist"));
    }

    private void insertRow(RepositoryPath path, PathHash key, PathHash parent, DirectoryEntry entry) {
        try {
            PreparedStatement s = reader.statement("INSERT INTO catalog (" + ROW_COLUMNS + ")"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, " + RawText.BIND + ", " + RawText.BIND + ", ?, ?, ?)");
            s.setLong(1, key.high());
            s.setLong(2, key.low());
            s.setLong(3, parent.high());
            s.setLong(4, parent.low());
            bindAttributes(s, 5, entry);
            s.executeUpdate();
        } catch (SQLException e) {
            throw reader.sqlFailure("insert " + path, e);
        }
    }

    // Binds hardlinks .. xattr (12 parameters) starting at index i.
    private static void bindAttributes(PreparedStatement s, int i, DirectoryEntry e) throws SQLException {
        s.setLong(i, e.hardlinksColumn());
        if (e.hash() == null) {
            s.setNull(i + 1, Types.BLOB);
        } else {
            s.setBytes(i + 1, e.hash().digest());
        }
        s.setLong(i + 2, e.size());
        s.setLong(i + 3, e.mode());
        s.setLong(i + 4, e.mtime());
        if (e.mtimeNs() == null) {
            s.setNull(i + 5, Types.INTEGER);
        } else {
            s.setLong(i + 5, e.mtimeNs());
        }
        s.setLong(i + 6, e.flags().value());
        RawText.bind(s, i + 7, e.name());
        RawText.bind(s, i + 8, e.symlink());
        s.setLong(i + 9, e.uid());
        s.setLong(i + 10, e.gid());
        byte[] xattr = e.xattrs().serialize();
        if (xattr == null) {
            s.setNull(i + 11, Types.BLOB);
        } else {
            s.setBytes(i + 11, xattr);
        }
    }

    private void insertChunks(PathHash key, List<Chunk> chunks) {
        try {
            PreparedStatement s = reader.statement(
                    "INSERT INTO chunks (md5path_1, md5path_2, offset, size, hash) VALUES (?, ?, ?, ?, ?)");
            for (Chunk c : chunks) {
                s.setLong(1, key.high());
                s.setLong(2, key.low());
                s.setLong(3, c.offset());
                s.setLong(4, c.size());
                s.setBytes(5, c.hash().digest());
                s.executeUpdate();
            }
        } catch (SQLException e) {
            throw reader.sqlFailure("insert chunks", e);
        }
    }

    private void deleteChunks(PathHash key) {
        try {
            PreparedStatement s = reader.statement("DELETE FROM chunks WHERE md5path_1 = ? AND md5path_2 = ?");
            s.setLong(1, key.high());
            s.setLong(2, key.low());
            s.executeUpdate();
        } catch (SQLException e) {
            throw reader.sqlFailure("delete chunks", e);
        }
    }

    /** The writer rules of spec 6.5-6.9 and 7 that a single row can break. */
    private void checkWritable(RepositoryPath path, DirectoryEntry e, List<Chunk> chunks) {
        String where = label() + ": " + path + ": ";
        if (!path.isSameOrUnder(rootPrefix)) {
            throw new CatalogException(where + "outside the catalog");
        }
        if (!e.name().equals(path.name())) {
            throw new CatalogException(where + "entry is named '" + RepositoryPath.printable(e.name()) + "'");
        }
        boolean isRoot = path.equals(rootPrefix);
        if (e.nestedRoot() != (isRoot && !rootPrefix.isRoot())) {
            throw new CatalogException(where + (e.nestedRoot()
                    ? "only the root of a nested catalog carries the nested-root flag"
                    : "the root of a nested catalog needs the nested-root flag"));
        }
        if (isRoot && (e.nestedMountpoint() || e.bindMountpoint() || !e.isDirectory())) {
            throw new CatalogException(where + "a catalog root must be a plain directory");
        }
        switch (e.kind()) {
            case SYMLINK -> {
                // size 0 is what upstream's tar ingest writes; a merge must carry such entries over
                int len = RawName.byteLength(e.symlink());
                if (e.size() != len && e.size() != 0) {
                    throw new CatalogException(where + "symlink size " + e.size() + " is not the target length " + len);
                }
            }
            case SPECIAL -> {
                if (e.size() != 0) {
                    throw new CatalogException(where + "special files have size 0, not " + e.size());
                }
            }
            case REGULAR -> {
                if (!e.chunked() && !e.external() && e.hash() == null) {
                    throw new CatalogException(where + "a regular file needs a content hash");
                }
            }
            case DIRECTORY -> { }
        }
        if (e.chunked()) {
            if (chunks.size() < 2) {
                throw new CatalogException(where + "a chunked file has at least 2 chunks, got " + chunks.size());
            }
            String problem = Chunk.listProblem(chunks, e.size());
            if (problem != null) {
                throw new CatalogException(where + problem);
            }
            for (Chunk c : chunks) {
                if (c.hash().algorithm() != e.hashAlgorithm()) {
                    throw new CatalogException(where + "chunk " + c.hash() + " is not " + e.hashAlgorithm());
                }
            }
        } else if (!chunks.isEmpty()) {
            throw new CatalogException(where + "chunks given for an entry that is not chunked");
        }
    }

    // ---- nested catalogs, statistics, properties ----

    /**
     * Adds or replaces the {@code nested_catalogs} row of a direct child. A null hash stands for
     * a child created in this session, written as the empty string until it is committed.
     */
    public void setNestedRef(RepositoryPath mountpoint, ContentHash hash, long size) {
        requireOpen();
        if (!mountpoint.isStrictlyUnder(rootPrefix)) {
            throw new CatalogException(label() + ": nested catalog " + mountpoint + " is outside the catalog");
        }
        try {
            PreparedStatement s = reader.statement("INSERT OR REPLACE INTO nested_catalogs (path, sha1, size) VALUES ("
                    + RawText.BIND + ", ?, ?)");
            RawText.bind(s, 1, mountpoint.value());
            s.setString(2, hash == null ? "" : hash.toText());
            s.setLong(3, size);
            s.executeUpdate();
        } catch (SQLException e) {
            throw reader.sqlFailure("register nested catalog " + mountpoint, e);
        }
    }

    public void removeNestedRef(RepositoryPath mountpoint) {
        requireOpen();
        try {
            PreparedStatement s = reader.statement("DELETE FROM nested_catalogs WHERE path = " + RawText.BIND);
            RawText.bind(s, 1, mountpoint.value());
            if (s.executeUpdate() != 1) {
                throw new CatalogException(label() + ": no nested catalog is registered at " + mountpoint);
            }
        } catch (SQLException e) {
            throw reader.sqlFailure("unregister nested catalog " + mountpoint, e);
        }
    }

    /** Adds the {@code subtree} half of {@code delta} (a child's change, see {@link CatalogCounters#asSubtree}). */
    public void addToSubtree(CatalogCounters delta) {
        counters = counters.withSubtreeOf(counters.plus(delta));
    }

    /** Sets the root catalog's {@code TTL} property, copied into the manifest's {@code D}. */
    public void setTtl(long seconds) {
        requireOpen();
        if (seconds <= 0) {
            throw new IllegalArgumentException("TTL must be positive, got " + seconds);
        }
        db.setProperty(CatalogSchema.PROP_TTL, Long.toString(seconds));
    }

    // ---- finishing ----

    /**
     * Writes the statistics, commits and closes; returns the catalog's file, ready to be
     * compressed and stored (its owner deletes it). Revision is unchanged.
     */
    public Path finish() {
        requireOpen();
        writeStatistics();
        return commitAndClose();
    }

    /**
     * Finishes a re-publication of this catalog: {@code revision} + 1, {@code last_modified} =
     * {@code now}, {@code previous_revision} = {@code previous} (40 zeros if null). Returns the
     * file as {@link #finish} does.
     */
    public Path finishRevision(ContentHash previous, long now) {
        requireOpen();
        long revision = reader.revision();
        db.setProperty(CatalogSchema.PROP_REVISION, Long.toString(revision + 1));
        db.setProperty(CatalogSchema.PROP_LAST_MODIFIED, Long.toString(now));
        db.setProperty(CatalogSchema.PROP_PREVIOUS_REVISION, previous == null ? NULL_HASH_TEXT : previous.toText());
        writeStatistics();
        return commitAndClose();
    }

    private void writeStatistics() {
        try {
            PreparedStatement s = reader.statement("INSERT OR REPLACE INTO statistics (counter, value) VALUES (?, ?)");
            for (Map.Entry<String, Long> e : counters.toStatistics().entrySet()) {
                s.setString(1, e.getKey());
                s.setLong(2, e.getValue());
                s.executeUpdate();
            }
        } catch (SQLException e) {
            throw reader.sqlFailure("write statistics", e);
        }
    }

    private Path commitAndClose() {
        try {
            db.connection().commit();
            db.connection().setAutoCommit(true);
        } catch (SQLException e) {
            throw reader.sqlFailure("commit", e);
        }
        compactIfBloated();
        reader.closeStatements();
        open = false;
        db.close();
        return db.path();
    }

    // Heavy churn (a moved subtree) leaves free pages that would be shipped for nothing.
    private void compactIfBloated() {
        long free = pragma("freelist_count");
        long pages = pragma("page_count");
        if (free > 16 && free * 4 > pages) {
            reader.closeStatements();
            db.execute("VACUUM");
        }
    }

    private long pragma(String name) {
        try (PreparedStatement s = db.prepare("PRAGMA " + name); ResultSet rs = s.executeQuery()) {
            return rs.next() ? rs.getLong(1) : 0;
        } catch (SQLException e) {
            throw reader.sqlFailure("read " + name, e);
        }
    }

    Optional<DirectoryEntry> lookup(RepositoryPath path) {
        return reader.lookup(path);
    }

    private String label() {
        return reader.label();
    }

    private void requireOpen() {
        if (!open) {
            throw new IllegalStateException(label() + " is already finished or closed");
        }
    }

    /** Discards uncommitted edits and closes the file (which stays on disk). */
    @Override
    public void close() {
        if (!open) {
            return;
        }
        open = false;
        reader.closeStatements();
        try {
            db.connection().rollback();
        } catch (SQLException ignored) {
            // the edits are being thrown away anyway
        }
        db.close();
    }
}
