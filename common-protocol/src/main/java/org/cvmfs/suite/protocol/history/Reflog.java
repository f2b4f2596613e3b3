package org.cvmfs.suite.protocol.history;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.sqlite.SqliteException;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * The reference log {@code .cvmfsreflog}: every root-level object (root catalogs, certificates,
 * histories, meta infos) the repository ever referenced, so that garbage collection and
 * Stratum-1s can find them. Served uncompressed; the manifest's {@code Y} is the digest of its raw
 * bytes. One instance works on a private temporary copy and is not thread-safe.
 */
public final class Reflog implements AutoCloseable {
    public static final String FILE_NAME = ".cvmfsreflog";
    public static final String SCHEMA = "1.0";
    public static final String SCHEMA_REVISION = "0";
    private static final StagedDatabase.Schema SCHEMA_DEFINITION = new StagedDatabase.Schema("reflog", SCHEMA,
            SCHEMA_REVISION,
            List.of("CREATE TABLE refs (hash TEXT, type INTEGER, timestamp INTEGER, CONSTRAINT pk_refs PRIMARY KEY (hash))"),
            List.of("refs"));
    private static final List<ObjectSuffix> TYPES = List.of(
            ObjectSuffix.CATALOG, ObjectSuffix.CERTIFICATE, ObjectSuffix.HISTORY, ObjectSuffix.META_INFO);

    private final StagedDatabase staged;

    private Reflog(StagedDatabase staged) {
        this.staged = staged;
    }

    /**
     * One reference.
     *
     * @param object    the object with its suffix (C, X, H or M), told by the row's type
     * @param timestamp when it was added, Unix seconds
     */
    public record Entry(ContentHash object, long timestamp) {
        public Entry {
            Objects.requireNonNull(object, "object");
        }
    }

    public static Reflog create(Path workDir, String fqrn) {
        return new Reflog(StagedDatabase.create(workDir, SCHEMA_DEFINITION, fqrn, Map.of()));
    }

    /** Opens raw reflog bytes (a copy is made). */
    public static Reflog open(byte[] sqlite, Path workDir) {
        return new Reflog(StagedDatabase.open(sqlite, workDir, SCHEMA_DEFINITION));
    }

    /**
     * Fetches {@code .cvmfsreflog} and opens it if its raw bytes hash to {@code expected} (the
     * manifest's {@code Y} or the server's {@code reflog.chksum}).
     */
    public static Reflog fetch(RepositorySource source, ContentHash expected, Path workDir) {
        byte[] raw = source.fetchRootFile(FILE_NAME);
        ContentHash reference = expected.withSuffix(ObjectSuffix.NONE);
        if (!reference.matches(raw)) {
            throw new CorruptObjectException("reflog from " + source.describe() + " hashes to "
                    + digestOf(raw, reference.algorithm()).toText() + ", expected " + reference.toText());
        }
        return open(raw, workDir);
    }

    /** The manifest's {@code Y} for these raw bytes. */
    public static ContentHash digestOf(byte[] raw, HashAlgorithm algorithm) {
        return ContentHash.compute(algorithm, raw, ObjectSuffix.NONE);
    }

    public String fqrn() {
        return staged.fqrn();
    }

    /** Adds or refreshes a reference; the object's suffix tells its type (C, X, H or M). */
    public void add(ContentHash object, Instant when) {
        int type = typeOf(object);
        try (PreparedStatement s = staged.db().prepare(
                "INSERT OR REPLACE INTO refs (hash, type, timestamp) VALUES (?, ?, ?)")) {
            s.setString(1, object.toText());
            s.setInt(2, type);
            s.setLong(3, when.getEpochSecond());
            s.executeUpdate();
        } catch (SQLException e) {
            throw new SqliteException("cannot add " + object + " to the reflog: " + e.getMessage(), e);
        }
    }

    /** Drops a reference (garbage collection deleted the object); false if it was not listed. */
    public boolean remove(ContentHash object) {
        try (PreparedStatement s = staged.db().prepare("DELETE FROM refs WHERE hash = ? AND type = ?")) {
            s.setString(1, object.toText());
            s.setInt(2, typeOf(object));
            return s.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new SqliteException("cannot remove " + object + " from the reflog: " + e.getMessage(), e);
        }
    }

    public boolean contains(ContentHash object) {
        try (PreparedStatement s = staged.db().prepare("SELECT 1 FROM refs WHERE hash = ? AND type = ?")) {
            s.setString(1, object.toText());
            s.setInt(2, typeOf(object));
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new SqliteException("cannot look up " + object + " in the reflog: " + e.getMessage(), e);
        }
    }

    /** All references, oldest first. */
    public List<Entry> entries() {
        try (PreparedStatement s = staged.db().prepare("SELECT hash, type, timestamp FROM refs ORDER BY timestamp, hash");
             ResultSet rs = s.executeQuery()) {
            List<Entry> entries = new ArrayList<>();
            while (rs.next()) {
                entries.add(new Entry(object(rs.getString(1), rs.getInt(2)), rs.getLong(3)));
            }
            return entries;
        } catch (SQLException e) {
            throw new SqliteException("cannot list the reflog: " + e.getMessage(), e);
        }
    }

    /** Closes the database and returns the raw bytes to serve as {@code .cvmfsreflog}; unusable afterwards. */
    public byte[] closeAndRead() {
        return staged.closeAndRead();
    }

    @Override
    public void close() {
        staged.close();
    }

    private static int typeOf(ContentHash object) {
        int type = TYPES.indexOf(object.suffix());
        if (type < 0) {
            throw new IllegalArgumentException("the reflog records only catalogs, certificates, histories and"
                    + " meta infos, not " + object);
        }
        return type;
    }

    private static ContentHash object(String hash, int type) {
        if (type < 0 || type >= TYPES.size()) {
            throw new HistoryException("reflog entry " + hash + " has unknown type " + type);
        }
        try {
            return ContentHash.parse(hash == null ? "" : hash, TYPES.get(type));
        } catch (IllegalArgumentException e) {
            throw new HistoryException("reflog entry hash is not a content hash: '" + hash + "'");
        }
    }
}
