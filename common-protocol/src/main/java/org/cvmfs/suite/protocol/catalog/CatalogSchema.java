package org.cvmfs.suite.protocol.catalog;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.Set;
import org.cvmfs.suite.protocol.sqlite.SqliteException;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;

/** The catalog database layout of schema 2.5 revision 7 (spec 6.2) and what older revisions lack. */
final class CatalogSchema {
    static final String SCHEMA = "2.5";
    static final int REVISION = 7;
    /** Oldest schema upstream readers still open as a current catalog. */
    static final double OLDEST_SCHEMA = 2.4;
    static final double NEWEST_SCHEMA = 2.5;

    static final String PROP_SCHEMA = "schema";
    static final String PROP_SCHEMA_REVISION = "schema_revision";
    static final String PROP_REVISION = "revision";
    static final String PROP_LAST_MODIFIED = "last_modified";
    static final String PROP_PREVIOUS_REVISION = "previous_revision";
    static final String PROP_ROOT_PREFIX = "root_prefix";
    static final String PROP_TTL = "TTL";

    /* Column order matters: upstream merges catalogs with INSERT ... SELECT *. */
    static final String[] CREATE = {
        SqliteFile.CREATE_PROPERTIES,
        "CREATE TABLE catalog (md5path_1 INTEGER, md5path_2 INTEGER, parent_1 INTEGER, parent_2 INTEGER,"
            + " hardlinks INTEGER, hash BLOB, size INTEGER, mode INTEGER, mtime INTEGER, mtimens INTEGER,"
            + " flags INTEGER, name TEXT, symlink TEXT, uid INTEGER, gid INTEGER, xattr BLOB,"
            + " CONSTRAINT pk_catalog PRIMARY KEY (md5path_1, md5path_2))",
        "CREATE INDEX idx_catalog_parent ON catalog (parent_1, parent_2)",
        "CREATE TABLE chunks (md5path_1 INTEGER, md5path_2 INTEGER, offset INTEGER, size INTEGER, hash BLOB,"
            + " CONSTRAINT pk_chunks PRIMARY KEY (md5path_1, md5path_2, offset, size),"
            + " FOREIGN KEY (md5path_1, md5path_2) REFERENCES catalog (md5path_1, md5path_2))",
        "CREATE TABLE nested_catalogs (path TEXT, sha1 TEXT, size INTEGER,"
            + " CONSTRAINT pk_nested_catalogs PRIMARY KEY (path))",
        "CREATE TABLE bind_mountpoints (path TEXT, sha1 TEXT, size INTEGER,"
            + " CONSTRAINT pk_bind_mountpoints PRIMARY KEY (path))",
        "CREATE TABLE statistics (counter TEXT, value INTEGER, CONSTRAINT pk_statistics PRIMARY KEY (counter))",
    };

    private CatalogSchema() {
    }

    static Set<String> columns(SqliteFile db, String table) {
        Set<String> out = new HashSet<>();
        try (Statement s = db.connection().createStatement();
             ResultSet rs = s.executeQuery("PRAGMA table_info(" + table + ")")) {
            while (rs.next()) {
                out.add(rs.getString("name"));
            }
        } catch (SQLException e) {
            throw new SqliteException("cannot inspect table " + table + " of " + db.path() + ": " + e.getMessage(), e);
        }
        return out;
    }

    /**
     * Brings a catalog of an older revision to revision 7 before it is edited, the way upstream
     * migrates: missing columns and tables are added (new columns go last, as ALTER TABLE puts
     * them), missing counters start at 0 because older revisions could not hold what they count.
     */
    static void upgrade(SqliteFile db) {
        Set<String> catalogColumns = columns(db, "catalog");
        if (!catalogColumns.contains("xattr")) {
            db.execute("ALTER TABLE catalog ADD COLUMN xattr BLOB");
        }
        if (!catalogColumns.contains("mtimens")) {
            db.execute("ALTER TABLE catalog ADD COLUMN mtimens INTEGER");
        }
        if (!columns(db, "nested_catalogs").contains("size")) {
            db.execute("ALTER TABLE nested_catalogs ADD COLUMN size INTEGER");
        }
        if (!db.hasTable("bind_mountpoints")) {
            db.execute(CREATE[5]);
        }
        if (!db.hasTable("statistics")) {
            db.execute(CREATE[6]);
        }
        db.setProperty(PROP_SCHEMA, SCHEMA);
        db.setProperty(PROP_SCHEMA_REVISION, Integer.toString(REVISION));
    }
}
