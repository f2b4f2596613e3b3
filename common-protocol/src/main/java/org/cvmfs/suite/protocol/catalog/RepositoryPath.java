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
        if (!value.isEmpty() && !plainAscii(value)) {
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
        if (name.indexOf('/') >= 0 || !plainAscii("/" + name)) {
            checkName(name, null);
        }
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

    /**
     * The common case, checked in one pass without building anything: {@code /}-separated
     * components of ASCII other than NUL, none empty, {@code .} or {@code ..}, none longer than
     * {@link #MAX_NAME_BYTES}. Anything else (other characters, which upstream takes too, or a
     * mistake) goes through the component-by-component check, which names what is wrong.
     */
    private static boolean plainAscii(String value) {
        int n = value.length();
        if (value.charAt(0) != '/') {
            return false;
        }
        int start = 1;
        for (int i = 1; i <= n; i++) {
            char c = i == n ? '/' : value.charAt(i);
            if (c == '/') {
                int length = i - start;
                if (length == 0 || length > MAX_NAME_BYTES || (value.charAt(start) == '.'
                        && (length == 1 || (length == 2 && value.charAt(start + 1) == '.')))) {
                    return false;
                }
                start = i + 1;
            } else if (c == 0 || c >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static void checkName(String name, String path) {
        if (name.isEmpty()) {
            throw invalid("empty path component", path);
        }
        if (name.equals(".") || name.equals("..")) {
            throw invalid("path component '" + name + "' is not allowed", path);
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == 0) {
                throw invalid("NUL byte in name '" + printable(name) + "'", path);
            }
            if (c == '/') {
                throw invalid("'/' in name '" + printable(name) + "'", path);
            }
        }
        if (!RawName.isCanonical(name)) {
            // a surrogate that is no escaped byte (RawName), so the name stands for no bytes
            throw invalid("name '" + printable(name) + "' is not valid Unicode", path);
        }
        int bytes = RawName.byteLength(name);
        if (bytes > MAX_NAME_BYTES) {
            throw invalid("name of " + bytes + " bytes exceeds " + MAX_NAME_BYTES, path);
        }
    }

    /** The refusal of a name, naming the path it stands in if there is one. */
    private static IllegalArgumentException invalid(String what, String path) {
        return new IllegalArgumentException(path == null ? what : what + " in repository path '" + printable(path) + "'");
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
