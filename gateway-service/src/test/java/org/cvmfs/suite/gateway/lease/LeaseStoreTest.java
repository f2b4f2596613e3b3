package org.cvmfs.suite.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteConfig;

class LeaseStoreTest {
    @TempDir
    Path work;

    private Connection connect() throws java.sql.SQLException {
        return new SQLiteConfig().createConnection("jdbc:sqlite:" + work.resolve("gw.db"));
    }

    private static Lease lease(String token, String path, Instant expiration) {
        return new Lease(token, LeasePath.parse(path), "key1", expiration, 2, "vm");
    }

    @Test
    void leasesSurviveReopening() {
        Instant exp = Instant.ofEpochMilli(1_795_590_000_123L);
        try (LeaseStore store = LeaseStore.open(work)) {
            store.insert(lease("T1", "capture.test/sw", exp));
            store.addStatistics("T1", new PublishStatistics(1, 2, 3, 4, 5));
            store.addStatistics("T1", new PublishStatistics(1, 1, 1, 1, 1));
        }
        try (LeaseStore store = LeaseStore.open(work)) {
            Lease l = store.find("T1").orElseThrow();
            assertEquals("capture.test/sw", l.path().toWire());
            assertEquals(exp, l.expiration());
            assertEquals("vm", l.hostname());
            assertEquals(new PublishStatistics(2, 3, 4, 5, 6), store.statistics("T1"));
        }
    }

    @Test
    void statisticsGoWithTheirLease() {
        try (LeaseStore store = LeaseStore.open(work)) {
            store.insert(lease("T1", "r/a", Instant.now().plusSeconds(60)));
            store.addStatistics("T1", new PublishStatistics(1, 0, 0, 10, 0));
            assertTrue(store.delete("T1"));
            assertFalse(store.delete("T1"));
            assertEquals(PublishStatistics.NONE, store.statistics("T1"));
            store.addStatistics("gone", new PublishStatistics(1, 0, 0, 10, 0));
            assertEquals(PublishStatistics.NONE, store.statistics("gone"));
        }
    }

    @Test
    void expiredLeasesArePurged() {
        Instant now = Instant.now();
        try (LeaseStore store = LeaseStore.open(work)) {
            store.insert(lease("OLD", "r/a", now.minusMillis(1)));
            store.insert(lease("EDGE", "r/b", now));
            store.insert(lease("NEW", "r/c", now.plusSeconds(10)));
            assertEquals(3, store.count());
            assertEquals(1, store.deleteExpired(now));
            assertEquals(List.of("EDGE", "NEW"), store.all().stream().map(Lease::token).toList());
            assertEquals(2, store.deleteAll(store.all()));
            assertEquals(0, store.count());
        }
    }

    @Test
    void theDatabaseIsUpstreamsFileInWalMode() throws Exception {
        try (LeaseStore store = LeaseStore.open(work)) {
            assertEquals(work.resolve("gw.db"), store.file());
            assertTrue(store.isHealthy());
        }
        try (Connection c = connect(); Statement s = c.createStatement(); var r = s.executeQuery("pragma journal_mode")) {
            assertEquals("wal", r.getString(1));
        }
    }

    /** After a batch delete the connection is back in autocommit: a later insert is on disk without further ado. */
    @Test
    void aBatchDeleteLeavesLaterWritesDurable() {
        Instant exp = Instant.now().plusSeconds(60);
        try (LeaseStore store = LeaseStore.open(work)) {
            store.insert(lease("A", "r/a", exp));
            assertEquals(1, store.deleteAll(store.all()));
            store.insert(lease("B", "r/b", exp));
        }
        try (LeaseStore store = LeaseStore.open(work)) {
            assertEquals(List.of("B"), store.all().stream().map(Lease::token).toList());
        }
    }

    /** A batch delete is one transaction: one refused row and none goes. */
    @Test
    void aFailedBatchDeleteDeletesNothing() throws Exception {
        Instant exp = Instant.now().plusSeconds(60);
        try (LeaseStore store = LeaseStore.open(work)) {
            store.insert(lease("A", "r/a", exp));
            store.insert(lease("B", "r/b", exp));
            try (Connection c = connect(); Statement s = c.createStatement()) {
                s.execute("create trigger keep_b before delete on Lease when old.Token = 'B'"
                        + " begin select raise(abort, 'B stays'); end");
            }
            LeaseStoreException e = assertThrows(LeaseStoreException.class, () -> store.deleteAll(store.all()));
            assertTrue(e.getMessage().contains("cannot delete leases"), e.getMessage());
            assertEquals(List.of("A", "B"), store.all().stream().map(Lease::token).toList());
        }
        try (LeaseStore store = LeaseStore.open(work)) {
            assertEquals(2, store.count());
        }
    }

    /** A migration that fails half way leaves schema 2 as it was, so the next start migrates it. */
    @Test
    void aFailedMigrationIsRolledBack() throws Exception {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            createSchema2(s);
            s.execute("create trigger no_v3 before insert on SchemaVersion when new.VersionNumber = 3"
                    + " begin select raise(abort, 'not now'); end");
        }
        LeaseStoreException e = assertThrows(LeaseStoreException.class, () -> LeaseStore.open(work));
        assertTrue(e.getMessage().contains("not now"), e.getMessage());
        try (Connection c = connect(); Statement s = c.createStatement()) {
            s.execute("drop trigger no_v3");
        }
        try (LeaseStore store = LeaseStore.open(work)) {
            assertEquals("", store.find("GO").orElseThrow().hostname());
        }
    }

    private static void createSchema2(Statement s) throws java.sql.SQLException {
        s.execute("create table SchemaVersion (VersionNumber integer not null unique primary key,"
                + " ValidFrom timestamp not null, ValidTo timestamp)");
        s.execute("insert into SchemaVersion (VersionNumber, ValidFrom) values (2, datetime('now'))");
        s.execute("create table Lease (Token string not null unique primary key, Repository string not null,"
                + " Path string not null, KeyID string not null, Expiration integer not null,"
                + " ProtocolVersion integer not null)");
        s.execute("create table Repository (Name string not null unique primary key, Manifest string,"
                + " Enabled bool not null)");
        s.execute("insert into Lease values ('GO', 'capture.test', '/sw', 'key1', 4102444800000, 2)");
    }

    @Test
    void upstreamSchemaVersion2IsMigrated() throws Exception {
        try (Connection c = connect();
             Statement s = c.createStatement()) {
            createSchema2(s);
            s.execute("insert into Lease values ('ODD', 'capture.test', '/../x', 'key1', 4102444800000, 2)");
        }
        try (LeaseStore store = LeaseStore.open(work)) {
            Lease go = store.find("GO").orElseThrow();
            assertEquals("", go.hostname());
            assertEquals("capture.test/sw", go.path().toWire());
            assertTrue(store.find("ODD").isEmpty(), "a stored path we would never grant is ignored");
        }
        try (Connection c = connect();
             Statement s = c.createStatement(); var r = s.executeQuery("select max(VersionNumber) from SchemaVersion")) {
            assertEquals(3, r.getInt(1));
        }
    }

    @Test
    void newerSchemaIsRefused() throws Exception {
        try (Connection c = connect();
             Statement s = c.createStatement()) {
            s.execute("create table SchemaVersion (VersionNumber integer primary key, ValidFrom timestamp, ValidTo timestamp)");
            s.execute("insert into SchemaVersion values (4, datetime('now'), null)");
        }
        LeaseStoreException e = assertThrows(LeaseStoreException.class, () -> LeaseStore.open(work));
        assertTrue(e.getMessage().contains("schema version 4"), e.getMessage());
    }

    /** A refused database is closed again: no descriptor of this process still points at it. */
    @Test
    void aRefusedSchemaLeavesNoOpenConnection() throws Exception {
        try (Connection c = connect();
             Statement s = c.createStatement()) {
            s.execute("create table SchemaVersion (VersionNumber integer primary key, ValidFrom timestamp, ValidTo timestamp)");
            s.execute("insert into SchemaVersion values (9, datetime('now'), null)");
        }
        assertEquals(0, openDescriptorsOf(work.resolve("gw.db")));
        for (int i = 0; i < 3; i++) {
            assertThrows(LeaseStoreException.class, () -> LeaseStore.open(work));
        }
        assertEquals(0, openDescriptorsOf(work.resolve("gw.db")));
    }

    /** Descriptors of this process open on {@code file} or its WAL files (Linux {@code /proc/self/fd}). */
    private static long openDescriptorsOf(Path file) throws java.io.IOException {
        String db = file.toRealPath().toString();
        try (var fds = java.nio.file.Files.list(Path.of("/proc/self/fd"))) {
            return fds.map(fd -> {
                try {
                    return java.nio.file.Files.readSymbolicLink(fd).toString();
                } catch (java.io.IOException gone) {
                    return "";
                }
            }).filter(target -> target.startsWith(db)).count();
        }
    }
}
