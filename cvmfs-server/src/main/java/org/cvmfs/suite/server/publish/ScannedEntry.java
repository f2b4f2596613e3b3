package org.cvmfs.suite.server.publish;

import java.util.Objects;
import org.cvmfs.suite.protocol.catalog.EntryKind;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;

/**
 * What {@code lstat} (and {@code readlink}) says about one path of a working tree, named by its
 * repository path. Besides the catalog attributes it keeps the identity of the file (device,
 * inode, change time), which tells whether a file's content may have changed since the tree was
 * materialised without reading it.
 *
 * @param mode full {@code st_mode}, type bits included
 * @param mtimeNanos modification time in nanoseconds since the epoch
 * @param ctimeNanos status change time in nanoseconds since the epoch
 * @param symlinkTarget the link target for symlinks, otherwise the empty string
 */
public record ScannedEntry(RepositoryPath path, int mode, long uid, long gid, long size,
                           long mtimeNanos, long ctimeNanos, long device, long inode, int linkCount,
                           String symlinkTarget) {
    public ScannedEntry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(symlinkTarget, "symlink target");
        EntryKind kind = EntryKind.ofMode(mode);
        if (kind == EntryKind.SPECIAL) {
            throw new IllegalArgumentException(path + ": special files cannot be published (mode 0"
                    + Integer.toOctalString(mode) + ")");
        }
        if (kind != EntryKind.SYMLINK && !symlinkTarget.isEmpty()) {
            throw new IllegalArgumentException(path + ": a " + kind + " has a symlink target");
        }
        if (size < 0) {
            throw new IllegalArgumentException(path + ": size " + size + " is negative");
        }
    }

    public EntryKind kind() {
        return EntryKind.ofMode(mode);
    }

    public boolean isDirectory() {
        return kind() == EntryKind.DIRECTORY;
    }

    public boolean isRegular() {
        return kind() == EntryKind.REGULAR;
    }

    public boolean isSymlink() {
        return kind() == EntryKind.SYMLINK;
    }

    public long mtimeSeconds() {
        return Math.floorDiv(mtimeNanos, 1_000_000_000L);
    }

    public int mtimeNanoPart() {
        return (int) Math.floorMod(mtimeNanos, 1_000_000_000L);
    }

    /** Device and inode: two paths with the same key are hard links to one file. */
    public FileKey fileKey() {
        return new FileKey(device, inode);
    }

    /**
     * True if the catalog row would change between {@code this} and {@code now}: type, mode,
     * owner, mtime, symlink target, and for regular files the size.
     */
    public boolean sameAttributes(ScannedEntry now) {
        return mode == now.mode && uid == now.uid && gid == now.gid && mtimeNanos == now.mtimeNanos
                && symlinkTarget.equals(now.symlinkTarget) && (!isRegular() || size == now.size);
    }

    /**
     * True if a regular file certainly has the content it had when {@code this} was taken: same
     * file (device, inode), size, mtime and ctime. Writing a file updates its ctime, and the
     * ctime cannot be set back by a user, so this is safe against edits that restore the mtime.
     */
    public boolean sameContentAs(ScannedEntry now) {
        return isRegular() && now.isRegular() && device == now.device && inode == now.inode
                && size == now.size && mtimeNanos == now.mtimeNanos && ctimeNanos == now.ctimeNanos;
    }

    /** Identity of one file on one file system. */
    public record FileKey(long device, long inode) {
    }
}
