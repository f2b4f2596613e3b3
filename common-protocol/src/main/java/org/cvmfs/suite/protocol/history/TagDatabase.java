package org.cvmfs.suite.protocol.history;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.sqlite.SqliteException;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * The history (tag) database, schema 1.0 revision 3, stored as object {@code H}. Each change
 * produces a new object that names its predecessor in {@code previous_revision}. One instance
 * works on a private temporary copy and is not thread-safe.
 */
public final class TagDatabase implements AutoCloseable {
    public static final String SCHEMA = "1.0";
    public static final String SCHEMA_REVISION = "3";
    /** What upstream writes as predecessor of the first history: the text of a null SHA-1. */
    public static final String NO_PREVIOUS_REVISION = "0".repeat(40);
    /** Histories hold a few rows per publication; far beyond this is not a history. */
    public static final long MAX_INFLATED_BYTES = 1L << 30;
    private static final String PREVIOUS_REVISION = "previous_revision";
    private static final StagedDatabase.Schema SCHEMA_DEFINITION = new StagedDatabase.Schema("history", SCHEMA,
            SCHEMA_REVISION, List.of(
                    "CREATE TABLE branches (branch TEXT, parent TEXT, initial_revision INTEGER,"
                            + " CONSTRAINT pk_branch PRIMARY KEY (branch),"
                            + " FOREIGN KEY (parent) REFERENCES branches (branch),"
                            + " CHECK ((branch <> '') OR (parent IS NULL)),"
                            + " CHECK ((branch = '') OR (parent IS NOT NULL)))",
                    "CREATE TABLE tags (name TEXT, hash TEXT, revision INTEGER, timestamp INTEGER, channel INTEGER,"
                            + " description TEXT, size INTEGER, branch TEXT,"
                            + " CONSTRAINT pk_tags PRIMARY KEY (name),"
                            + " FOREIGN KEY (branch) REFERENCES branches (branch))",
                    "CREATE TABLE recycle_bin (hash TEXT, flags INTEGER, CONSTRAINT pk_hash PRIMARY KEY (hash))",
                    "INSERT INTO branches (branch, parent, initial_revision) VALUES ('', NULL, 0)"),
            // recycle_bin is not required of an opened history: nothing here reads it
            List.of("branches", "tags"));
    private static final String TAG_COLUMNS = "name, hash, revision, timestamp, channel, description, size, branch";

    private final StagedDatabase staged;

    private TagDatabase(StagedDatabase staged) {
        this.staged = staged;
    }

    /** An empty history for {@code fqrn}: only the default branch, no tags. */
    public static TagDatabase create(Path workDir, String fqrn) {
        return new TagDatabase(StagedDatabase.create(workDir, SCHEMA_DEFINITION, fqrn,
                Map.of(PREVIOUS_REVISION, NO_PREVIOUS_REVISION)));
    }

    /** Opens an inflated history database (a copy is made; {@code sqlite} is not changed). */
    public static TagDatabase open(byte[] sqlite, Path workDir) {
        return new TagDatabase(StagedDatabase.open(sqlite, workDir, SCHEMA_DEFINITION));
    }

    /**
     * Fetches the history object {@code history} (as named by a manifest's {@code H}) and opens it
     * as the base of the next history, whose {@code previous_revision} is therefore {@code history}.
     */
    public static TagDatabase fetch(RepositorySource source, ContentHash history, Path workDir) {
        ContentHash object = history.withSuffix(ObjectSuffix.HISTORY);
        TagDatabase db = open(Zlib.inflate(source.fetchObject(object), MAX_INFLATED_BYTES), workDir);
        db.setPreviousRevision(object);
        return db;
    }

    public String fqrn() {
        return staged.fqrn();
    }

    /** The history this one was derived from, empty for the first history of a repository. */
    public Optional<ContentHash> previousRevision() {
        Optional<String> text = staged.db().property(PREVIOUS_REVISION);
        if (text.isEmpty() || text.get().matches("0+")) {
            return Optional.empty();
        }
        try {
            return Optional.of(ContentHash.parse(text.get(), ObjectSuffix.HISTORY));
        } catch (IllegalArgumentException e) {
            throw new HistoryException("history previous_revision is not a content hash: '" + text.get() + "'");
        }
    }

    public void setPreviousRevision(ContentHash history) {
        staged.db().setProperty(PREVIOUS_REVISION, history.toText());
    }

    /** All tags, newest revision first. */
    public List<Tag> tags() {
        return query("SELECT " + TAG_COLUMNS + " FROM tags ORDER BY revision DESC, timestamp DESC, name", null);
    }

    public Optional<Tag> find(String name) {
        List<Tag> found = query("SELECT " + TAG_COLUMNS + " FROM tags WHERE name = ?", name);
        return found.stream().findFirst();
    }

    /** Inserts {@code tag}, replacing a tag of the same name. Its branch must exist. */
    public void put(Tag tag) {
        requireBranch(tag.branch());
        try (PreparedStatement s = staged.db().prepare(
                "INSERT OR REPLACE INTO tags (" + TAG_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, tag.name());
            s.setString(2, tag.target().rootCatalog().toText());
            s.setLong(3, tag.target().revision());
            s.setLong(4, tag.target().timestamp());
            s.setInt(5, tag.channel());
            s.setString(6, tag.description());
            s.setLong(7, tag.target().size());
            s.setString(8, tag.branch());
            s.executeUpdate();
        } catch (SQLException e) {
            throw new SqliteException("cannot store tag " + tag.name() + ": " + e.getMessage(), e);
        }
    }

    /** Removes the tag; false if there was none of that name. */
    public boolean remove(String name) {
        try (PreparedStatement s = staged.db().prepare("DELETE FROM tags WHERE name = ?")) {
            s.setString(1, name);
            return s.executeUpdate() > 0;
        } catch (SQLException e) {
            throw new SqliteException("cannot remove tag " + name + ": " + e.getMessage(), e);
        }
    }

    /**
     * Records a publication of {@code head}: the optional named tag first, then the undo tags
     * ({@code trunk-previous} dropped, {@code trunk} becomes {@code trunk-previous}, a new
     * {@code trunk}). A {@code generic-...} name is replaced by the current time in the gateway's
     * millisecond form. All or nothing.
     *
     * @param tagName null or empty for no named tag
     * @return the name of the named tag as stored, if any
     */
    public Optional<String> recordPublication(TagTarget head, String tagName, String description, Clock clock) {
        Optional<String> finalName = Optional.ofNullable(tagName).filter(n -> !n.isEmpty())
                .map(n -> Tag.isGenericName(n) ? Tag.genericName(clock.instant()) : n);
        Optional<Tag> named = finalName.map(n -> Tag.onDefaultBranch(n, head, description == null ? "" : description));
        staged.db().inTransaction(() -> {
            named.ifPresent(this::addNew);
            remove(Tag.PREVIOUS_HEAD);
            Optional<Tag> oldHead = find(Tag.HEAD);
            oldHead.ifPresent(t -> put(t.renamed(Tag.PREVIOUS_HEAD, Tag.PREVIOUS_HEAD_DESCRIPTION)));
            put(Tag.onDefaultBranch(Tag.HEAD, head, Tag.HEAD_DESCRIPTION));
        });
        return finalName;
    }

    /** Closes the database and returns the raw SQLite bytes; the instance is unusable afterwards. */
    public byte[] closeAndRead() {
        return staged.closeAndRead();
    }

    /** Closes, compresses and stores the database as object {@code H}; returns its name for the manifest. */
    public ContentHash store(ObjectStore store, HashAlgorithm algorithm) {
        return store.putCompressed(closeAndRead(), algorithm, ObjectSuffix.HISTORY);
    }

    @Override
    public void close() {
        staged.close();
    }

    private void addNew(Tag tag) {
        if (Tag.isUndoTagName(tag.name())) {
            throw new HistoryException("tag name '" + tag.name() + "' is reserved for the undo tags");
        }
        if (find(tag.name()).isPresent()) {
            throw new HistoryException("a tag named '" + tag.name() + "' already exists");
        }
        put(tag);
    }

    private void requireBranch(String branch) {
        try (PreparedStatement s = staged.db().prepare("SELECT 1 FROM branches WHERE branch = ?")) {
            s.setString(1, branch);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    throw new HistoryException("history has no branch '" + branch + "'");
                }
            }
        } catch (SQLException e) {
            throw new SqliteException("cannot look up branch " + branch + ": " + e.getMessage(), e);
        }
    }

    private List<Tag> query(String sql, String parameter) {
        try (PreparedStatement s = staged.db().prepare(sql)) {
            if (parameter != null) {
                s.setString(1, parameter);
            }
            List<Tag> tags = new ArrayList<>();
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    tags.add(row(rs));
                }
            }
            return tags;
        } catch (SQLException e) {
            throw new SqliteException("cannot read tags: " + e.getMessage(), e);
        }
    }

    private static Tag row(ResultSet rs) throws SQLException {
        String name = rs.getString(1);
        String hash = rs.getString(2);
        ContentHash catalog;
        try {
            catalog = ContentHash.parse(hash == null ? "" : hash, ObjectSuffix.CATALOG);
        } catch (IllegalArgumentException e) {
            throw new HistoryException("tag '" + name + "' hash is not a content hash: '" + hash + "'");
        }
        try {
            TagTarget target = new TagTarget(catalog, rs.getLong(3), rs.getLong(4), rs.getLong(7));
            String description = rs.getString(6);
            String branch = rs.getString(8);
            return new Tag(name == null ? "" : name, target, description == null ? "" : description,
                    rs.getInt(5), branch == null ? Tag.DEFAULT_BRANCH : branch);
        } catch (IllegalArgumentException e) {
            throw new HistoryException("history row of tag '" + name + "' is malformed: " + e.getMessage());
        }
    }
}
