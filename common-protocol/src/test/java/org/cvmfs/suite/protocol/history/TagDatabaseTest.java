package org.cvmfs.suite.protocol.history;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TagDatabaseTest {
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-12-01T10:11:12.345Z"), ZoneOffset.UTC);
    private static final ContentHash FIXTURE_HISTORY =
            ContentHash.parse("6248037d7e369231305a992b87bf057d6e4f9320", ObjectSuffix.HISTORY);

    @TempDir
    Path work;

    private static LocalRepositorySource fixture() {
        return new LocalRepositorySource(Fixtures.upstreamTestLocal().resolve("served"));
    }

    private static TagTarget target(int n) {
        return new TagTarget(ContentHash.compute(HashAlgorithm.SHA1, new byte[] {(byte) n}, ObjectSuffix.CATALOG),
                n, 1795581000L + n, 57344);
    }

    @Test
    void listsUpstreamTags() {
        try (TagDatabase db = TagDatabase.fetch(fixture(), FIXTURE_HISTORY, work)) {
            assertEquals("test.local", db.fqrn());
            List<String> names = db.tags().stream().map(Tag::name).toList();
            assertTrue(names.containsAll(List.of("trunk", "trunk-previous", "v1.0")), names.toString());
            assertEquals(6, names.size());
            Tag trunk = db.find("trunk").orElseThrow();
            assertEquals("be6fdb98797cf5449f2feb9bea0db93bc65c711d", trunk.target().rootCatalog().toText());
            assertEquals(ObjectSuffix.CATALOG, trunk.target().rootCatalog().suffix());
            assertEquals(3, trunk.target().revision());
            assertEquals(57344, trunk.target().size());
            assertEquals("current HEAD", trunk.description());
            assertEquals("", trunk.branch());
            Tag v1 = db.find("v1.0").orElseThrow();
            assertEquals(2, v1.target().revision());
            assertEquals("first tag", v1.description());
            assertEquals(db.find("trunk-previous").orElseThrow().target(), v1.target());
            assertEquals(Optional.empty(), db.find("v2.0"));
            // opened as base of the next history: it chains to the object it came from
            assertEquals(Optional.of(FIXTURE_HISTORY), db.previousRevision());
        }
    }

    @Test
    void firstHistoryOfUpstreamHasNullPredecessor() {
        byte[] raw = Zlib.inflate(fixture().fetchObject(
                ContentHash.parse("fc97e2c9b3d7b9f052470615f59447f2de34f641", ObjectSuffix.HISTORY)), 1 << 24);
        try (TagDatabase db = TagDatabase.open(raw, work)) {
            assertEquals(Optional.empty(), db.previousRevision());
            assertEquals(List.of("generic-2026-11-25T04:30:49Z", "trunk"),
                    db.tags().stream().map(Tag::name).sorted().toList());
        }
    }

    @Test
    void createsSchemaOneRevisionThree() throws Exception {
        byte[] bytes;
        try (TagDatabase db = TagDatabase.create(work, "test.example.org")) {
            assertEquals(List.of(), db.tags());
            bytes = db.closeAndRead();
        }
        Path copy = work.resolve("copy.sqlite");
        Files.write(copy, bytes);
        try (SqliteFile f = SqliteFile.openReadOnly(copy); Statement s = f.connection().createStatement()) {
            List<String> props = new ArrayList<>();
            try (ResultSet rs = s.executeQuery("SELECT key, value FROM properties ORDER BY key")) {
                while (rs.next()) {
                    props.add(rs.getString(1) + "=" + rs.getString(2));
                }
            }
            assertEquals(List.of("fqrn=test.example.org", "previous_revision=" + "0".repeat(40), "schema=1.0",
                    "schema_revision=3"), props);
            try (ResultSet rs = s.executeQuery("SELECT branch, parent, initial_revision FROM branches")) {
                assertTrue(rs.next());
                assertEquals("", rs.getString(1));
                assertEquals(null, rs.getString(2));
                assertEquals(0, rs.getInt(3));
                assertFalse(rs.next());
            }
            try (ResultSet rs = s.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")) {
                List<String> tables = new ArrayList<>();
                while (rs.next()) {
                    tables.add(rs.getString(1));
                }
                assertEquals(List.of("branches", "properties", "recycle_bin", "tags"), tables);
            }
            try (ResultSet rs = s.executeQuery("PRAGMA table_info(tags)")) {
                List<String> columns = new ArrayList<>();
                while (rs.next()) {
                    columns.add(rs.getString("name"));
                }
                assertEquals(List.of("name", "hash", "revision", "timestamp", "channel", "description", "size", "branch"),
                        columns);
            }
        }
        try (var left = Files.list(work)) {
            assertEquals(List.of(copy), left.toList(), "the staging file is removed");
        }
    }

    @Test
    void publicationRotatesUndoTagsAndNamesGenericTags() {
        try (TagDatabase db = TagDatabase.create(work, "test.local")) {
            assertEquals(Optional.of("generic-2026-12-01T10:11:12.345Z"),
                    db.recordPublication(target(1), "generic-2026-12-01T10:11:12Z", "", CLOCK));
            assertEquals(List.of("generic-2026-12-01T10:11:12.345Z", "trunk"), sortedNames(db));
            assertEquals(target(1), db.find("trunk").orElseThrow().target());

            assertEquals(Optional.empty(), db.recordPublication(target(2), null, null, CLOCK));
            Tag previous = db.find("trunk-previous").orElseThrow();
            assertEquals(target(1), previous.target());
            assertEquals("default undo target", previous.description());
            assertEquals(target(2), db.find("trunk").orElseThrow().target());

            assertEquals(Optional.of("v3"), db.recordPublication(target(3), "v3", "release 3", CLOCK));
            assertEquals(target(2), db.find("trunk-previous").orElseThrow().target());
            assertEquals(target(3), db.find("trunk").orElseThrow().target());
            assertEquals("release 3", db.find("v3").orElseThrow().description());
            assertEquals(List.of("generic-2026-12-01T10:11:12.345Z", "trunk", "trunk-previous", "v3"), sortedNames(db));
            assertEquals(List.of(3L, 3L, 2L, 1L), db.tags().stream().map(t -> t.target().revision()).toList());
        }
    }

    @Test
    void refusedPublicationLeavesTheHistoryUnchanged() {
        try (TagDatabase db = TagDatabase.create(work, "test.local")) {
            db.recordPublication(target(1), "v1", "", CLOCK);
            HistoryException dup = assertThrows(HistoryException.class,
                    () -> db.recordPublication(target(2), "v1", "", CLOCK));
            assertEquals("a tag named 'v1' already exists", dup.getMessage());
            HistoryException undo = assertThrows(HistoryException.class,
                    () -> db.recordPublication(target(2), "trunk-previous", "", CLOCK));
            assertEquals("tag name 'trunk-previous' is reserved for the undo tags", undo.getMessage());
            assertEquals(List.of("trunk", "v1"), sortedNames(db));
            assertEquals(target(1), db.find("trunk").orElseThrow().target());
            assertThrows(IllegalArgumentException.class, () -> db.recordPublication(target(2), "with space", "", CLOCK));
        }
    }

    @Test
    void putReplacesAndRemoveDeletes() {
        try (TagDatabase db = TagDatabase.create(work, "test.local")) {
            db.put(Tag.onDefaultBranch("v1", target(1), "one"));
            db.put(Tag.onDefaultBranch("v1", target(2), "two"));
            assertEquals(target(2), db.find("v1").orElseThrow().target());
            assertEquals(1, db.tags().size());
            HistoryException branch = assertThrows(HistoryException.class,
                    () -> db.put(new Tag("v2", target(2), "", 0, "feature")));
            assertEquals("history has no branch 'feature'", branch.getMessage());
            assertTrue(db.remove("v1"));
            assertFalse(db.remove("v1"));
        }
    }

    @Test
    void storesAndChainsHistories() throws Exception {
        ObjectStore store = new ObjectStore(work.resolve("repo"));
        ContentHash first;
        try (TagDatabase db = TagDatabase.create(work, "test.local")) {
            db.recordPublication(target(1), null, null, CLOCK);
            first = db.store(store, HashAlgorithm.SHA1);
        }
        assertEquals(ObjectSuffix.HISTORY, first.suffix());
        LocalRepositorySource source = new LocalRepositorySource(work.resolve("repo"));
        ContentHash second;
        try (TagDatabase db = TagDatabase.fetch(source, first, work)) {
            db.recordPublication(target(2), null, null, CLOCK);
            second = db.store(store, HashAlgorithm.SHA1);
        }
        try (TagDatabase db = TagDatabase.open(Zlib.inflate(source.fetchObject(second), 1 << 24), work)) {
            assertEquals(Optional.of(first), db.previousRevision());
            assertEquals(List.of("trunk", "trunk-previous"), sortedNames(db));
        }
        byte[] stored = Files.readAllBytes(store.pathOf(second));
        assertArrayEquals(stored, Zlib.compress(Zlib.inflate(stored, 1 << 24)));
    }

    @Test
    void refusesWhatIsNotAHistory() throws Exception {
        HistoryException garbage = assertThrows(HistoryException.class,
                () -> TagDatabase.open("not sqlite at all, just text".getBytes(), work));
        assertTrue(garbage.getMessage().startsWith("history database is not a readable SQLite file"),
                garbage.getMessage());
        byte[] reflog = Files.readAllBytes(Fixtures.upstreamTestLocal().resolve("served/.cvmfsreflog"));
        HistoryException wrong = assertThrows(HistoryException.class, () -> TagDatabase.open(reflog, work));
        assertEquals("history database has no table 'branches'", wrong.getMessage());
        byte[] newer;
        try (TagDatabase db = TagDatabase.create(work, "x")) {
            newer = db.closeAndRead();
        }
        Path f = work.resolve("newer.sqlite");
        Files.write(f, newer);
        try (SqliteFile s = SqliteFile.openWritable(f)) {
            s.execute("UPDATE properties SET value = '4' WHERE key = 'schema_revision'");
        }
        HistoryException revision = assertThrows(HistoryException.class,
                () -> TagDatabase.open(Files.readAllBytes(f), work));
        assertEquals("history database schema_revision is '4', expected '3'", revision.getMessage());
        try (var left = Files.list(work)) {
            assertEquals(List.of(f), left.toList(), "refused databases leave no staging files");
        }
    }

    private static List<String> sortedNames(TagDatabase db) {
        return db.tags().stream().map(Tag::name).sorted().toList();
    }
}
