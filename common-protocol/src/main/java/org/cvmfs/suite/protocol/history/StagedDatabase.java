package org.cvmfs.suite.protocol.history;

import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.sqlite.SqliteException;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;

/**
 * A history or reflog database worked on in a private temporary file, which is deleted once the
 * bytes have been read back (or the work abandoned). Both databases share the key/value
 * {@code properties} table, the {@code schema}/{@code schema_revision} convention and an
 * {@code fqrn} property; {@link Schema} says what else each has.
 */
final class StagedDatabase implements AutoCloseable {
    private final SqliteFile db;
    private final String what;
    private boolean closed;

    /**
     * One kind of staged database.
     *
     * @param what     "history" or "reflog", for messages and file names
     * @param version  the {@code schema} property
     * @param revision the {@code schema_revision} property
     * @param ddl      what creates an empty database, after the {@code properties} table
     * @param tables   the tables besides {@code properties} an opened database must have
     */
    record Schema(String what, String version, String revision, List<String> ddl, List<String> tables) {
    }

    private StagedDatabase(SqliteFile db, String what) {
        this.db = db;
        this.what = what;
    }

    /**
     * An empty database of {@code schema} for {@code fqrn}, with {@code moreProperties} set as
     * well; all or nothing.
     */
    static StagedDatabase create(Path workDir, Schema schema, String fqrn, Map<String, String> moreProperties) {
        StagedDatabase staged = new StagedDatabase(
                SqliteFile.create(SqliteFile.newStagingPath(workDir, schema.what())), schema.what());
        try {
            staged.db.inTransaction(() -> {
                staged.db.execute(SqliteFile.CREATE_PROPERTIES);
                schema.ddl().forEach(staged.db::execute);
                staged.db.setProperty("schema", schema.version());
                staged.db.setProperty("schema_revision", schema.revision());
                staged.db.setProperty("fqrn", fqrn);
                moreProperties.forEach(staged.db::setProperty);
            });
            return staged;
        } catch (RuntimeException e) {
            staged.close();
            throw e;
        }
    }

    /**
     * Stages a copy of {@code sqlite} and refuses it unless it has the tables and schema
     * properties of {@code schema} and an {@code fqrn}. A refused database leaves nothing behind.
     */
    static StagedDatabase open(byte[] sqlite, Path workDir, Schema schema) {
        StagedDatabase staged;
        try {
            staged = new StagedDatabase(SqliteFile.fromBytes(sqlite, workDir, schema.what(), true), schema.what());
        } catch (SqliteException e) {
            throw new HistoryException(schema.what() + " database is not a readable SQLite file: " + e.getMessage());
        }
        try {
            staged.requireSchema(schema);
            return staged;
        } catch (RuntimeException e) {
            staged.close();
            throw e;
        }
    }

    SqliteFile db() {
        return db;
    }

    String fqrn() {
        return db.property("fqrn").orElseThrow();
    }

    private void requireSchema(Schema schema) {
        List<String> tables = new ArrayList<>(List.of("properties"));
        tables.addAll(schema.tables());
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
        String actualSchema = db.property("schema").orElse("(none)");
        if (!schema.version().equals(actualSchema)) {
            throw new HistoryException(what + " database schema is '" + actualSchema + "', expected '"
                    + schema.version() + "'");
        }
        String actualRevision = db.property("schema_revision").orElse("(none)");
        if (!schema.revision().equals(actualRevision)) {
            throw new HistoryException(what + " database schema_revision is '" + actualRevision
                    + "', expected '" + schema.revision() + "'");
        }
        if (db.property("fqrn").isEmpty()) {
            throw new HistoryException(what + " database has no fqrn property");
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
        try {
            SqliteFile.delete(db.path());
        } catch (UncheckedIOException ignored) {
            // a leftover temporary database in the work directory is harmless
        }
    }
}
