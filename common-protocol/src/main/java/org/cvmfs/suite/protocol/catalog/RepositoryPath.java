package org.cvmfs.suite.protocol.catalog;

import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.name.RawName;

/**
 * A path inside a repository as catalogs spell it: the root is the empty string, every other path
 * starts with {@code /}, has no trailing slash and no empty, {@code .} or {@code ..} component.
 * This is the one place where repository paths and entry names are validated.
 *
 * <p>Components are byte strings, as upstream stores them: the value is in {@link RawName}'s
 * form, so a name that is not valid UTF-8 is carried exactly, {@link #bytes()} gives the bytes
 * upstream hashes into {@code md5path}, and a name is refused only for what upstream cannot
 * store either (empty, {@code .}/{@code ..}, {@code /} or NUL inside, longer than 255 bytes).
 */
public record RepositoryPath(String value) implements Comparable<RepositoryPath> {
    /** Longest name a POSIX file system (and thus a publisher) can produce, in bytes. */
    public static final int MAX_NAME_BYTES = 255;

    public static final RepositoryPath ROOT = new RepositoryPath("");

    public RepositoryPath {
        if (value == null) {
            throw new IllegalArgumentException("repository path is null");
        }
        if (!value.isEmpty()) {
            if (value.charAt(0) != '/') {
                throw new IllegalArgumentException("repository path '" + printable(value)
                        + "' does not start with '/' (the root is the empty string)");
            }
            int start = 1;
            while (true) {
                int slash = value.indexOf('/', start);
                int end = slash < 0 ? value.length() : slash;
                checkName(value.substring(start, end), value);
                if (slash < 0) {
                    break;
                }
                start = slash + 1;
            }
        }
    }

    /** Parses an absolute repository path ({@code ""} or {@code /a/b}). */
    public static RepositoryPath of(String value) {
        return new RepositoryPath(value);
    }

    /**
     * Parses a path relative to the repository root as leases and upstream tools write it
     * ({@code ""} for the root, {@code sw/lib} otherwise).
     */
    public static RepositoryPath ofRelative(String relative) {
        if (relative == null) {
            throw new IllegalArgumentException("relative repository path is null");
        }
        return relative.isEmpty() ? ROOT : new RepositoryPath("/" + relative);
    }

    /** Refuses a name that cannot be one path component; the message names the name. */
    public static String requireValidName(String name) {
        if (name == null) {
            throw new IllegalArgumentException("entry name is null");
        }
        checkName(name, null);
        return name;
    }

    public boolean isRoot() {
        return value.isEmpty();
    }

    /** The last component; the empty string for the root. */
    public String name() {
        return value.substring(value.lastIndexOf('/') + 1);
    }

    public RepositoryPath parent() {
        if (isRoot()) {
            throw new IllegalStateException("the repository root has no parent");
        }
        return new RepositoryPath(value.substring(0, value.lastIndexOf('/')));
    }

    public RepositoryPath child(String name) {
        requireValidName(name);
        return new RepositoryPath(value + "/" + name);
    }

    /** Number of components: 0 for the root, 2 for {@code /a/b}. */
    public int depth() {
        int n = 0;
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) == '/') {
                n++;
            }
        }
        return n;
    }

    /** The ancestor (or this path) made of the first {@code depth} components. */
    public RepositoryPath ancestor(int depth) {
        if (depth < 0 || depth > depth()) {
            throw new IllegalArgumentException("path " + this + " has no ancestor at depth " + depth);
        }
        int end = 0;
        for (int n = 0; n < depth; n++) {
            int slash = value.indexOf('/', end + 1);
            end = slash < 0 ? value.length() : slash;
        }
        return new RepositoryPath(value.substring(0, end));
    }

    /** True if this path is {@code other} or lies below it ({@code /a/bc} is not below {@code /a/b}). */
    public boolean isSameOrUnder(RepositoryPath other) {
        return other.isRoot() || value.equals(other.value)
                || (value.startsWith(other.value) && value.charAt(other.value.length()) == '/');
    }

    public boolean isStrictlyUnder(RepositoryPath other) {
        return !value.equals(other.value) && isSameOrUnder(other);
    }

    /** The path bytes as stored and hashed into {@code md5path}. */
    public byte[] bytes() {
        return RawName.encode(value);
    }

    public PathHash pathHash() {
        return PathHash.of(bytes());
    }

    /** The path without its leading slash, as leases and upstream tools write it. */
    public String relative() {
        return isRoot() ? "" : value.substring(1);
    }

    @Override
    public int compareTo(RepositoryPath o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }

    private static void checkName(String name, String path) {
        String where = path == null ? "" : " in repository path '" + printable(path) + "'";
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty path component" + where);
        }
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("path component '" + name + "' is not allowed" + where);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0) {
                throw new IllegalArgumentException("NUL byte in name '" + printable(name) + "'" + where);
            }
            if (c == '/') {
                throw new IllegalArgumentException("'/' in name '" + printable(name) + "'" + where);
            }
        }
        if (!RawName.isCanonical(name)) {
            // a surrogate that is no escaped byte (RawName), so the name stands for no bytes
            throw new IllegalArgumentException("name '" + printable(name) + "' is not valid Unicode" + where);
        }
        int bytes = RawName.byteLength(name);
        if (bytes > MAX_NAME_BYTES) {
            throw new IllegalArgumentException("name of " + bytes + " bytes exceeds " + MAX_NAME_BYTES + where);
        }
    }

    /** For messages: NUL as {@code \\0}, bytes that are not UTF-8 as {@code \\xNN}, long values cut. */
    public static String printable(String s) {
        String shown = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        StringBuilder b = new StringBuilder(shown.length());
        for (int i = 0; i < shown.length(); i++) {
            char c = shown.charAt(i);
            if (c == 0) {
                b.append("\\0");
            } else if (c >= 0xDC80 && c <= 0xDCFF && (i == 0 || !Character.isHighSurrogate(shown.charAt(i - 1)))) {
                b.append(String.format("\\x%02x", c - 0xDC00));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
