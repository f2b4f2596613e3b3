package org.cvmfs.suite.gateway.lease;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.gateway.LeasePathException;
import org.jboss.logging.Logger;
import org.sqlite.SQLiteConfig;

/**
 * Leases on disk, in upstream's lease database ({@code <work_dir>/gw.db}, schema version 3), so
 * the Java gateway can replace the Go one in place without losing active leases, and so a
 * restart loses nothing. Per-lease payload statistics live in an extra table that cascades with
 * the lease; upstream kept them in memory, which made pre-restart leases uncommittable.
 *
 * <p>Every operation is one short statement or transaction on one connection; the callers'
 * per-repository locks provide atomicity across operations where the lease rules need it.
 */
public final class LeaseStore implements AutoCloseable {
    public static final String FILE_NAME = "gw.db";
    static final int SCHEMA_VERSION = 3;
    private static final Logger LOG = Logger.getLogger(LeaseStore.class);
    private static final String COLUMNS = "Token, Repository, Path, KeyID, Expiration, ProtocolVersion, Hostname";

    private final Path file;
    private final Connection db;

    private LeaseStore(Path file, Connection db) {
        this.file = file;
        this.db = db;
    }

    /** Opens (creating if needed) the database in {@code workDir}; refuses a newer schema. */
    public static LeaseStore open(Path workDir) {
        try {
            Files.createDirectories(workDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the gateway work directory " + workDir, e);
        }
        Path file = workDir.resolve(FILE_NAME);
        try {
            SQLiteConfig config = new SQLiteConfig();
            // a lease must survive a crash of the gateway, not necessarily of the host
            config.setJournalMode(SQLiteConfig.JournalMode.WAL);
            config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
            config.enforceForeignKeys(true);
            config.setBusyTimeout(10_000);
            // not through DriverManager, whose registrations are per class loader
            Connection c = config.createConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try {
                LeaseStore store = new LeaseStore(file, c);
                store.prepareSchema();
                return store;
            } catch (SQLException | RuntimeException e) {
                // a refused schema must not leave the file open (and locked) behind the exception
                try {
                    c.close();
                } catch (SQLException suppressed) {
                    e.addSuppressed(suppressed);
                }
                throw e;
            }
        } catch (SQLException e) {
            throw new LeaseStoreException("cannot open the lease database " + file + ": " + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    private void prepareSchema() throws SQLException {
        db.setAutoCommit(false);
        try (Statement s = db.createStatement()) {
            boolean fresh;
            try (ResultSet r = s.executeQuery(
                    "select count(*) from sqlite_master where type = 'table' and name = 'SchemaVersion'")) {
                fresh = r.next() && r.getInt(1) == 0;
            }
            if (fresh) {
                // column types as upstream declares them, so its daemon can take the file back
                s.execute("create table SchemaVersion (VersionNumber integer not null unique primary key,"
                        + " ValidFrom timestamp not null, ValidTo timestamp)");
                s.execute("insert into SchemaVersion (VersionNumber, ValidFrom) values (" + SCHEMA_VERSION
                        + ", datetime('now'))");
                s.execute("create table Lease (Token string not null unique primary key, Repository string not null,"
                        + " Path string not null, KeyID string not null, Expiration integer not null,"
                        + " ProtocolVersion integer not null, Hostname string not null default '')");
                s.execute("create index lease_repository_path_idx on Lease(Repository, Path)");
                s.execute("create table Repository (Name string not null unique primary key, Manifest string,"
                        + " Enabled bool not null)");
            } else {
                int version;
                try (ResultSet r = s.executeQuery("select max(VersionNumber) from SchemaVersion")) {
                    version = r.next() ? r.getInt(1) : 0;
                }
                if (version > SCHEMA_VERSION) {
                    throw new LeaseStoreException("lease database " + file + " has schema version " + version
                            + ", newer than the known " + SCHEMA_VERSION);
                }
                if (version < 2) {
                    throw new LeaseStoreException("lease database " + file + " has unknown schema version " + version);
                }
                if (version == 2) {
                    s.execute("alter table Lease add column Hostname string not null default ''");
                    s.execute("update SchemaVersion set ValidTo = datetime('now') where VersionNumber = 2");
                    s.execute("insert into SchemaVersion (VersionNumber, ValidFrom) values (3, datetime('now'))");
                    LOG.infof("lease database %s migrated from schema 2 to 3", file);
                }
            }
            s.execute("create table if not exists LeaseStatistics (Token string not null primary key"
                    + " references Lease(Token) on delete cascade, ChunksAdded integer not null,"
                    + " ChunksDuplicated integer not null, CatalogsAdded integer not null,"
                    + " UploadedBytes integer not null, UploadedCatalogBytes integer not null)");
            db.commit();
        } catch (SQLException | RuntimeException e) {
            db.rollback();
            throw e;
        } finally {
            db.setAutoCommit(true);
        }
    }

    public synchronized void insert(Lease lease) {
        try (PreparedStatement s = db.prepareStatement("insert into Lease (" + COLUMNS + ") values (?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, lease.token());
            s.setString(2, lease.path().repository());
            s.setString(3, lease.path().subpath());
            s.setString(4, lease.keyId());
            s.setLong(5, lease.expiration().toEpochMilli());
            s.setInt(6, lease.protocolVersion());
            s.setString(7, lease.hostname() == null ? "" : lease.hostname());
            s.executeUpdate();
        } catch (SQLException e) {
            throw failure("insert lease on " + lease.path(), e);
        }
    }

    public synchronized Optional<Lease> find(String token) {
        List<Lease> found = query("select " + COLUMNS + " from Lease where Token = ?", token);
        return found.stream().findFirst();
    }

    public synchronized List<Lease> all() {
        return query("select " + COLUMNS + " from Lease order by Repository, Path");
    }

    public synchronized List<Lease> inRepository(String repository) {
        return query("select " + COLUMNS + " from Lease where Repository = ?", repository);
    }

    /** True if the lease existed. */
    public synchronized boolean delete(String token) {
        try (PreparedStatement s = db.prepareStatement("delete from Lease where Token = ?")) {
            s.setString(1, token);
            return s.executeUpdate() > 0;
        } catch (SQLException e) {
            throw failure("delete lease", e);
        }
    }

    /** Removes the given leases in one transaction; returns how many existed. */
    public synchronized int deleteAll(List<Lease> leases) {
        try {
            db.setAutoCommit(false);
            int n = 0;
            try (PreparedStatement s = db.prepareStatement("delete from Lease where Token = ?")) {
                for (Lease l : leases) {
                    s.setString(1, l.token());
                    n += s.executeUpdate();
                }
                db.commit();
            } catch (SQLException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
            return n;
        } catch (SQLException e) {
            throw failure("delete leases", e);
        }
    }

    /** Purges every lease that expired before {@code now}; returns how many. */
    public synchronized int deleteExpired(Instant now) {
        try (PreparedStatement s = db.prepareStatement("delete from Lease where Expiration < ?")) {
            s.setLong(1, now.toEpochMilli());
            return s.executeUpdate();
        } catch (SQLException e) {
            throw failure("purge expired leases", e);
        }
    }

    public synchronized int count() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("select count(*) from Lease")) {
            return r.next() ? r.getInt(1) : 0;
        } catch (SQLException e) {
            throw failure("count leases", e);
        }
    }

    /** Adds one payload's statistics to the lease's sum; ignored if the lease is gone. */
    public synchronized void addStatistics(String token, PublishStatistics add) {
        try (PreparedStatement s = db.prepareStatement("insert into LeaseStatistics (Token, ChunksAdded,"
                + " ChunksDuplicated, CatalogsAdded, UploadedBytes, UploadedCatalogBytes)"
                + " select Token, ?, ?, ?, ?, ? from Lease where Token = ?"
                + " on conflict(Token) do update set ChunksAdded = ChunksAdded + excluded.ChunksAdded,"
                + " ChunksDuplicated = ChunksDuplicated + excluded.ChunksDuplicated,"
                + " CatalogsAdded = CatalogsAdded + excluded.CatalogsAdded,"
                + " UploadedBytes = UploadedBytes + excluded.UploadedBytes,"
                + " UploadedCatalogBytes = UploadedCatalogBytes + excluded.UploadedCatalogBytes")) {
            s.setLong(1, add.chunksAdded());
            s.setLong(2, add.chunksDuplicated());
            s.setLong(3, add.catalogsAdded());
            s.setLong(4, add.uploadedBytes());
            s.setLong(5, add.uploadedCatalogBytes());
            s.setString(6, token);
            s.executeUpdate();
        } catch (SQLException e) {
            throw failure("record payload statistics", e);
        }
    }

    /** The lease's payload statistics; zeros when it had none (or is gone). */
    public synchronized PublishStatistics statistics(String token) {
        try (PreparedStatement s = db.prepareStatement("select ChunksAdded, ChunksDuplicated, CatalogsAdded,"
                + " UploadedBytes, UploadedCatalogBytes from LeaseStatistics where Token = ?")) {
            s.setString(1, token);
            try (ResultSet r = s.executeQuery()) {
                return r.next()
                        ? new PublishStatistics(r.getLong(1), r.getLong(2), r.getLong(3), r.getLong(4), r.getLong(5))
                        : PublishStatistics.NONE;
            }
        } catch (SQLException e) {
            throw failure("read payload statistics", e);
        }
    }

    /** True if the database answers; for readiness. */
    public synchronized boolean isHealthy() {
        try (Statement s = db.createStatement(); ResultSet r = s.executeQuery("select 1")) {
            return r.next();
        } catch (SQLException e) {
            return false;
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            LOG.warnf("closing the lease database %s: %s", file, e.getMessage());
        }
    }

    private List<Lease> query(String sql, String... args) {
        try (PreparedStatement s = db.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                s.setString(i + 1, args[i]);
            }
            List<Lease> leases = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    toLease(r).ifPresent(leases::add);
                }
            }
            return leases;
        } catch (SQLException e) {
            throw failure("read leases", e);
        }
    }

    private Optional<Lease> toLease(ResultSet r) throws SQLException {
        String token = r.getString(1);
        try {
            LeasePath path = new LeasePath(r.getString(2), r.getString(3));
            return Optional.of(new Lease(token, path, r.getString(4), Instant.ofEpochMilli(r.getLong(5)),
                    r.getInt(6), r.getString(7)));
        } catch (LeasePathException e) {
            // a row written by another gateway with a path we would never grant
            LOG.warnf("ignoring stored lease on %s%s: %s", r.getString(2), r.getString(3), e.getMessage());
            return Optional.empty();
        }
    }

    private LeaseStoreException failure(String what, SQLException e) {
        return new LeaseStoreException("lease database " + file + ": cannot " + what + ": " + e.getMessage(), e);
    }
}
