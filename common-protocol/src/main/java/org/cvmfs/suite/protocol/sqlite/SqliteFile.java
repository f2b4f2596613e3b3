package org.cvmfs.suite.protocol.sqlite;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import org.sqlite.SQLiteConfig;

/**
 * One SQLite file of the repository format (catalog, history, reflog). Catalogs travel as
 * zlib-compressed single files, so every database here uses a rollback journal (never WAL) and
 * upstream's 1024-byte pages, and is fully written back to its file when closed.
 */
public final class SqliteFile implements AutoCloseable {
    /** The key/value table every database of the repository format has; see {@link #property}. */
    public static final String CREATE_PROPERTIES =
            "CREATE TABLE properties (key TEXT, value TEXT, CONSTRAINT pk_properties PRIMARY KEY (key))";
    private static final org.sqlite.JDBC DRIVER;

    static {
        SqliteNativeLibrary.preferCachedCopy();
        DRIVER = new org.sqlite.JDBC();
    }

    private final Path path;
    private final Connection connection;

    private SqliteFile(Path path, Connection connection) {
        this.path = path;
        this.connection = connection;
    }

    /** Creates a new, empty database at {@code path} (which must not exist). */
    public static SqliteFile create(Path path) {
        if (Files.exists(path)) {
            throw new IllegalArgumentException("database already exists: " + path);
        }
        SqliteFile db = open(path, false);
        db.execute("PRAGMA page_size = 1024");
        return db;
    }

    public static SqliteFile openWritable(Path path) {
        return open(path, false);
    }

    public static SqliteFile openReadOnly(Path path) {
        return open(path, true);
    }

    /**
     * A fresh path for a database staged under {@code dir} (created if missing); no file is there
     * yet. {@code kind} ("catalog", "history", ...) starts the name, for whoever looks into the
     * directory.
     */
    public static Path newStagingPath(Path dir, String kind) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create staging directory " + dir, e);
        }
        return dir.resolve(kind + "." + UUID.randomUUID() + ".sqlite");
    }

    /**
     * Writes {@code bytes} (an inflated database) to a new file under {@code dir} and opens it;
     * the caller deletes the file ({@link #delete}) when done. Bytes that cannot be staged or
     * opened leave no file behind.
     */
    public static SqliteFile fromBytes(byte[] bytes, Path dir, String kind, boolean writable) {
        Path file = newStagingPath(dir, kind);
        try {
            Files.write(file, bytes, StandardOpenOption.CREATE_NEW);
            return open(file, !writable);
        } catch (IOException e) {
            throw deleteAfter(file, new UncheckedIOException("cannot stage a " + kind + " database in " + dir, e));
        } catch (RuntimeException e) {
            throw deleteAfter(file, e);
        }
    }

    /** Deletes a database file and the rollback journal an interrupted transaction leaves beside it. */
    public static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.resolveSibling(file.getFileName() + "-journal"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete database " + file, e);
        }
    }

    /** Deletes a database staged for an operation that failed with {@code failure}, which it returns to be thrown. */
    public static RuntimeException deleteAfter(Path file, RuntimeException failure) {
        try {
            delete(file);
        } catch (UncheckedIOException e) {
            failure.addSuppressed(e);
        }
        return failure;
    }

    private static SqliteFile open(Path path, boolean readOnly) {
        SQLiteConfig config = new SQLiteConfig();
        config.setReadOnly(readOnly);
        config.setJournalMode(SQLiteConfig.JournalMode.DELETE);
        config.enforceForeignKeys(true);
        // Nothing here reads generated keys; the driver's default ran a second query
        // (last_insert_rowid) after every insert, which made a catalog row insert 5 times dearer.
        config.setGetGeneratedKeys(false);
        Properties props = config.toProperties();
        try {
            // Straight to the driver: DriverManager only sees drivers of the caller's class loader,
            // which breaks inside Quarkus applications and tests.
            Connection c = DRIVER.connect("jdbc:sqlite:" + path.toAbsolutePath(), props);
            return new SqliteFile(path, c);
        } catch (SQLException e) {
            throw new SqliteException("cannot open SQLite database " + path + ": " + e.getMessage(), e);
        }
    }

    public Path path() {
        return path;
    }

    public Connection connection() {
        return connection;
    }

    public void execute(String sql) {
        try (Statement s = connection.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new SqliteException("SQL failed on " + path + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    public PreparedStatement prepare(String sql) {
        try {
            return connection.prepareStatement(sql);
        } catch (SQLException e) {
            throw new SqliteException("cannot prepare on " + path + ": " + sql + ": " + e.getMessage(), e);
        }
    }

    /** True if a table of that name exists; used to tell schema generations apart. */
    public boolean hasTable(String table) {
        try (PreparedStatement s = prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name=?")) {
            s.setString(1, table);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw new SqliteException("cannot inspect " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * The value of {@code key} in the {@code properties (key, value)} table that catalogs,
     * histories and reflogs all have; empty when the key is absent or its value is NULL. Values are
 * read as bytes ({@link RawText}): {@code root_prefix} is a path and may be any bytes.
     */
    public Optional<String> property(String key) {
        try (PreparedStatement s = prepare("SELECT " + RawText.read("value") + " FROM properties WHERE key = ?")) {
            s.setString(1, key);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.ofNullable(RawText.get(rs, 1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new SqliteException("cannot read property " + key + " of " + path + ": " + e.getMessage(), e);
        }
    }

    /** Sets {@code key} in the {@code properties} table, replacing an earlier value. */
    public void setProperty(String key, String value) {
        try (PreparedStatement s = prepare("INSERT OR REPLACE INTO properties (key, value) VALUES (?, " + RawText.BIND + ")")) {
            s.setString(1, key);
            RawText.bind(s, 2, value);
            s.executeUpdate();
        } catch (SQLException e) {
            throw new SqliteException("cannot set property " + key + " of " + path + ": " + e.getMessage(), e);
        }
    }

    /** Runs {@code work} in one transaction, rolled back if it throws. */
    public void inTransaction(Runnable work) {
        try {
            connection.setAutoCommit(false);
            try {
                work.run();
                connection.commit();
            } catch (RuntimeException e) {
                connection.rollback();
                throw e;
            } finally {
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new SqliteException("transaction failed on " + path + ": " + e.getMessage(), e);
        }
    }

    /** Closes the connection and returns the file's bytes, ready to be compressed and stored. */
    public byte[] closeAndRead() {
        close();
        try {
            return Files.readAllBytes(path);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read back " + path, e);
        }
    }

    @Override
    public void close() {
        try {
            connection.close();
        } catch (SQLException e) {
            throw new SqliteException("cannot close " + path + ": " + e.getMessage(), e);
        }
    }
}
