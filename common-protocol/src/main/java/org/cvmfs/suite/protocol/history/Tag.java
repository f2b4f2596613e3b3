package org.cvmfs.suite.protocol.history;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;

/**
 * A row of the history's {@code tags} table: a name for a published root catalog.
 *
 * @param name        unique, without whitespace
 * @param target      the tagged root catalog
 * @param description free text, empty if none
 * @param channel     legacy update channel, 0 for everything written today
 * @param branch      the branch, {@code ""} for the default one
 */
public record Tag(String name, TagTarget target, String description, int channel, String branch) {
    /** Points to the newest publication. */
    public static final String HEAD = "trunk";
    /** Points to the publication before {@link #HEAD}, the target of a rollback. */
    public static final String PREVIOUS_HEAD = "trunk-previous";
    public static final String HEAD_DESCRIPTION = "current HEAD";
    public static final String PREVIOUS_HEAD_DESCRIPTION = "default undo target";
    public static final String DEFAULT_BRANCH = "";
    private static final String GENERIC_PREFIX = "generic-";
    private static final DateTimeFormatter GENERIC_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    public Tag {
        Objects.requireNonNull(name, "tag name");
        Objects.requireNonNull(target, "tag target");
        Objects.requireNonNull(description, "tag description");
        Objects.requireNonNull(branch, "tag branch");
        if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("tag name must be non-empty and without whitespace: '" + name + "'");
        }
        if (channel < 0) {
            throw new IllegalArgumentException("tag channel must not be negative: " + channel);
        }
    }

    public static Tag onDefaultBranch(String name, TagTarget target, String description) {
        return new Tag(name, target, description, 0, DEFAULT_BRANCH);
    }

    public Tag renamed(String newName, String newDescription) {
        return new Tag(newName, target, newDescription, channel, branch);
    }

    /** {@code trunk} and {@code trunk-previous} are maintained by publication, never set by hand. */
    public static boolean isUndoTagName(String name) {
        return HEAD.equals(name) || PREVIOUS_HEAD.equals(name);
    }

    /** Publishers send {@code generic-...} names that the gateway replaces by its own time stamp. */
    public static boolean isGenericName(String name) {
        return name.startsWith(GENERIC_PREFIX);
    }

    /** {@code generic-YYYY-MM-DDThh:mm:ss.sssZ}, UTC, as the upstream gateway names automatic tags. */
    public static String genericName(Instant when) {
        return GENERIC_PREFIX + GENERIC_TIME.format(when);
    }
}
