package org.cvmfs.suite.protocol.catalog;

/** What a catalog row describes, told by the POSIX type bits of its {@code mode}. */
public enum EntryKind {
    DIRECTORY,
    REGULAR,
    SYMLINK,
    /** FIFO, socket or device node. */
    SPECIAL;

    static final int S_IFMT = 0170000;
    static final int S_IFDIR = 0040000;
    static final int S_IFREG = 0100000;
    static final int S_IFLNK = 0120000;
    private static final int S_IFIFO = 0010000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFSOCK = 0140000;

    /** The kind a {@code st_mode} value says; refuses unknown type bits. */
    public static EntryKind ofMode(int mode) {
        return switch (mode & S_IFMT) {
            case S_IFDIR -> DIRECTORY;
            case S_IFREG -> REGULAR;
            case S_IFLNK -> SYMLINK;
            case S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK -> SPECIAL;
            default -> throw new IllegalArgumentException("mode 0" + Integer.toOctalString(mode)
                    + " has no known file type bits");
        };
    }
}
