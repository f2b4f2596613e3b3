package org.cvmfs.suite.protocol.catalog;

import org.cvmfs.suite.protocol.hash.HashAlgorithm;

/** The {@code flags} column of a catalog row (spec 6.6): its bit layout and the writer rules. */
public record EntryFlags(int value) {
    public static final int DIR = 0x1;
    public static final int NESTED_MOUNTPOINT = 0x2;
    public static final int FILE = 0x4;
    public static final int LINK = 0x8;
    public static final int SPECIAL = 0x10;
    public static final int NESTED_ROOT = 0x20;
    public static final int CHUNKED = 0x40;
    public static final int EXTERNAL = 0x80;
    public static final int HASH_ALGORITHM_MASK = 0x700;
    public static final int HASH_ALGORITHM_SHIFT = 8;
    public static final int COMPRESSION_MASK = 0x3800;
    public static final int COMPRESSION_SHIFT = 11;
    public static final int BIND_MOUNTPOINT = 0x4000;
    public static final int HIDDEN = 0x8000;
    public static final int DIRECT_IO = 0x10000;

    static final int COMPRESSION_ZLIB = 0;
    static final int COMPRESSION_NONE = 1;
    private static final int KNOWN = DIR | NESTED_MOUNTPOINT | FILE | LINK | SPECIAL | NESTED_ROOT | CHUNKED
            | EXTERNAL | HASH_ALGORITHM_MASK | COMPRESSION_MASK | BIND_MOUNTPOINT | HIDDEN | DIRECT_IO;

    /**
     * Flags as upstream's writer ({@code CreateDatabaseFlags}) derives them: the type bits, one
     * transition bit at most, file properties on regular files only, and the hash algorithm
     * whenever the entry has a hash or chunks that need interpreting.
     */
    public static EntryFlags of(DirectoryEntry e) {
        int f = switch (e.kind()) {
            case DIRECTORY -> DIR
                    | (e.nestedMountpoint() ? NESTED_MOUNTPOINT : 0)
                    | (e.nestedRoot() ? NESTED_ROOT : 0)
                    | (e.bindMountpoint() ? BIND_MOUNTPOINT : 0);
            case REGULAR -> FILE
                    | (e.chunked() ? CHUNKED : 0)
                    | (e.external() ? EXTERNAL : 0)
                    | (e.directIo() ? DIRECT_IO : 0)
                    | ((e.uncompressed() ? COMPRESSION_NONE : COMPRESSION_ZLIB) << COMPRESSION_SHIFT);
            case SYMLINK -> FILE | LINK;
            case SPECIAL -> FILE | SPECIAL;
        };
        if (e.hidden()) {
            f |= HIDDEN;
        }
        if (e.hash() != null || e.chunked()) {
            f |= e.hashAlgorithm().catalogFlagValue() << HASH_ALGORITHM_SHIFT;
        }
        return new EntryFlags(f);
    }

    /** The kind these flags describe; refuses unknown bits and contradictory type bits. */
    public EntryKind kind() {
        if ((value & ~KNOWN) != 0) {
            throw new IllegalArgumentException("flags " + value + " carry unknown bits 0x"
                    + Integer.toHexString(value & ~KNOWN));
        }
        boolean dir = (value & DIR) != 0;
        boolean file = (value & FILE) != 0;
        if (dir == file) {
            throw new IllegalArgumentException("flags " + value + " must set exactly one of directory (1) and file (4)");
        }
        if (dir) {
            if ((value & (LINK | SPECIAL | CHUNKED | EXTERNAL | DIRECT_IO)) != 0) {
                throw new IllegalArgumentException("flags " + value + " mix directory and file bits");
            }
            int transitions = Integer.bitCount(value & (NESTED_MOUNTPOINT | NESTED_ROOT | BIND_MOUNTPOINT));
            if (transitions > 1) {
                throw new IllegalArgumentException("flags " + value
                        + " set more than one of nested mountpoint, nested root and bind mountpoint");
            }
            return EntryKind.DIRECTORY;
        }
        if ((value & (NESTED_MOUNTPOINT | NESTED_ROOT | BIND_MOUNTPOINT)) != 0) {
            throw new IllegalArgumentException("flags " + value + " set a catalog transition bit on a non-directory");
        }
        boolean link = (value & LINK) != 0;
        boolean special = (value & SPECIAL) != 0;
        if (link && special) {
            throw new IllegalArgumentException("flags " + value + " set both symlink (8) and special file (16)");
        }
        if ((link || special) && (value & (CHUNKED | EXTERNAL | DIRECT_IO)) != 0) {
            throw new IllegalArgumentException("flags " + value
                    + " set chunked, external or direct I/O on a non-regular file");
        }
        return link ? EntryKind.SYMLINK : special ? EntryKind.SPECIAL : EntryKind.REGULAR;
    }

    public boolean isNestedMountpoint() {
        return (value & NESTED_MOUNTPOINT) != 0;
    }

    public boolean isNestedRoot() {
        return (value & NESTED_ROOT) != 0;
    }

    public boolean isBindMountpoint() {
        return (value & BIND_MOUNTPOINT) != 0;
    }

    public boolean isHidden() {
        return (value & HIDDEN) != 0;
    }

    public boolean isChunked() {
        return (value & CHUNKED) != 0;
    }

    public boolean isExternal() {
        return (value & EXTERNAL) != 0;
    }

    public boolean isDirectIo() {
        return (value & DIRECT_IO) != 0;
    }

    /** True if the content is stored raw (compression value 1). */
    public boolean isUncompressed() {
        int c = (value & COMPRESSION_MASK) >>> COMPRESSION_SHIFT;
        if (c > COMPRESSION_NONE) {
            throw new IllegalArgumentException("flags " + value + " name unknown compression " + c);
        }
        return c == COMPRESSION_NONE;
    }

    public HashAlgorithm hashAlgorithm() {
        return HashAlgorithm.fromCatalogFlagValue((value & HASH_ALGORITHM_MASK) >>> HASH_ALGORITHM_SHIFT);
    }
}
