package org.cvmfs.suite.protocol.history;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.cvmfs.suite.protocol.sqlite.SqliteException;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;

/**
 * A history or reflog database worked on in a private temporary file, which is deleted once the
 * bytes have been read back (or the work abandoned). Both databases share the key/value
 * {@code properties} table and the {@code schema}/{@code schema_revision} convention.
 */
final class StagedDatabase implements AutoCloseable {
    private final SqliteFile db;
    private final String what;
    private boolean closed;

    private StagedDatabase(SqliteFile db, String what) {
        this.db = db;
        this.what = what;
    }

    static StagedDatabase create(Path workDir, String what) {
        return new StagedDatabase(SqliteFile.create(newPath(workDir, what)), what);
    }

    /** Stages a copy of {@code sqlite}; bytes SQLite cannot open are refused and leave nothing behind. */
    static StagedDatabase fromBytes(byte[] sqlite, Path workDir, String what) {
        Path file = newPath(workDir, what);
        try {
            Files.write(file, sqlite, StandardOpenOption.CREATE_NEW);
            return new StagedDatabase(SqliteFile.openWritable(file), what);
        } catch (IOException e) {
            deleteQuietly(file);
            throw new UncheckedIOException("cannot stage the " + what + " database in " + workDir, e);
        } catch (SqliteException e) {
            deleteQuietly(file);
            throw new HistoryException(what + " database is not a readable SQLite file: " + e.getMessage());
        }
    }

    private static Path newPath(Path workDir, String what) {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create work directory " + workDir, e);
        }
        return workDir.resolve(what + "." + UUID.randomUUID() + ".sqlite");
    }

    SqliteFile db() {
        return db;
    }

    /** Refuses the file unless it has {@code tables} and the expected schema properties. */
    void requireSchema(String schema, String revision, String... tables) {
        for (String table : tables) {
            boolean present;
            try {
                present = db.hasTable(table);
            } catch (SqliteException e) {
                throw new HistoryException(what + " database is not a readable SQLite file: " + e.getMessage());
            }
            if (!present) {
                throw new HistoryException(what + " database has no table '" + table + "'");
            }
        }
        String actualSchema = property("schema").orElse("(none)");
        if (!schema.equals(actualSchema)) {
            throw new HistoryException(what + " database schema is '" + actualSchema + "', expected '" + schema + "'");
        }
        String actualRevision = property("schema_revision").orElse("(none)");
        if (!revision.equals(actualRevision)) {
            throw new HistoryException(what + " database schema_revision is '" + actualRevision
                    + "', expected '" + revision + "'");
        }
    }

    Optional<String> property(String key) {
        try (PreparedStatement s = db.prepare("SELECT value FROM properties WHERE key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new SqliteException("cannot read property " + key + " of " + what + ": " + e.getMessage(), e);
        }
    }

    void setProperty(String key, String value) {
        try (PreparedStatement s = db.prepare("INSERT OR REPLACE INTO properties (key, value) VALUES (?, ?)")) {
            s.setString(1, key);
            s.setString(2, value);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new SqliteException("cannot set property " + key + " of " + what + ": " + e.getMessage(), e);
        }
    }

    /** Closes the database and returns its bytes; the temporary file is gone afterwards. */
    byte[] closeAndRead() {
        try {
            return db.closeAndRead();
        } finally {
            closed = true;
            deleteFile();
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            try {
                db.close();
            } finally {
                deleteFile();
            }
        }
    }

    private void deleteFile() {
        deleteQuietly(db.path());
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a leftover temporary database in the work directory is harmless
        }
    }
}
