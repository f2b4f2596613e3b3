package org.cvmfs.suite.protocol.catalog;

import java.util.Objects;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.name.RawName;

/**
 * One catalog row in decoded form: a directory, regular file, symlink or special file. The
 * entry knows its name but not its path; catalogs place it. The kind comes from the type bits
 * of {@code mode}, as the client derives it, and {@link EntryFlags#of} derives the flags column.
 *
 * @param name last path component, empty only for a root entry
 * @param mtimeNs nanosecond part of {@code mtime}, or null when not recorded
 * @param linkcount directories: 2 + subdirectories; files: hard-link group size, else 1
 * @param hardlinkGroup 0 = no group; otherwise shared by all members of one group
 * @param hash bulk object of a regular file (suffix none), null for everything else and for
 *             chunked files without a bulk object
 * @param hashAlgorithm algorithm of {@code hash} and of the chunk hashes; SHA-1 for entries with neither
 * @param symlink link target for symlinks, otherwise the empty string; its bytes in {@link RawName}'s form
 * @param xattrs extended attributes, {@link XattrList#EMPTY} when there are none
 */
public record DirectoryEntry(
        String name,
        int mode,
        long size,
        long mtime,
        Integer mtimeNs,
        long uid,
        long gid,
        int linkcount,
        long hardlinkGroup,
        ContentHash hash,
        HashAlgorithm hashAlgorithm,
        String symlink,
        boolean nestedMountpoint,
        boolean nestedRoot,
        boolean bindMountpoint,
        boolean hidden,
        boolean chunked,
        boolean external,
        boolean directIo,
        boolean uncompressed,
        XattrList xattrs) {

    public static final int DEFAULT_DIRECTORY_SIZE = 4096;
    private static final long MAX_U32 = 0xFFFFFFFFL;

    public DirectoryEntry {
        if (name == null) {
            throw new IllegalArgumentException("entry name is null");
        }
        if (!name.isEmpty()) {
            RepositoryPath.requireValidName(name);
        }
        EntryKind kind = EntryKind.ofMode(mode);
        if (size < 0) {
            throw new IllegalArgumentException(what(name) + ": size " + size + " is negative");
        }
        if (mtimeNs != null && (mtimeNs < 0 || mtimeNs > 999_999_999)) {
            throw new IllegalArgumentException(what(name) + ": mtimens " + mtimeNs + " is outside 0..999999999");
        }
        if (uid < 0 || uid > MAX_U32 || gid < 0 || gid > MAX_U32) {
            throw new IllegalArgumentException(what(name) + ": uid " + uid + " / gid " + gid + " outside 0..2^32-1");
        }
        if (linkcount < 1) {
            throw new IllegalArgumentException(what(name) + ": linkcount " + linkcount + " must be at least 1");
        }
        if (hardlinkGroup < 0 || hardlinkGroup > MAX_U32) {
            throw new IllegalArgumentException(what(name) + ": hard-link group " + hardlinkGroup + " outside 0..2^32-1");
        }
        if (hashAlgorithm == null) {
            throw new IllegalArgumentException(what(name) + ": hash algorithm is null");
        }
        if (hash == null && !chunked) {
            // nothing to interpret: the flags carry no algorithm, so entries compare equal regardless
            hashAlgorithm = HashAlgorithm.SHA1;
        }
        if (symlink == null) {
            throw new IllegalArgumentException(what(name) + ": symlink target is null (use the empty string)");
        }
        if (xattrs == null) {
            throw new IllegalArgumentException(what(name) + ": xattrs are null (use XattrList.EMPTY)");
        }
        if (hash != null) {
            if (kind != EntryKind.REGULAR) {
                throw new IllegalArgumentException(what(name) + ": a " + kind + " carries content hash " + hash);
            }
            if (hash.suffix() != ObjectSuffix.NONE) {
                throw new IllegalArgumentException(what(name) + ": content hash " + hash + " must have no suffix");
            }
            if (hash.algorithm() != hashAlgorithm) {
                throw new IllegalArgumentException(what(name) + ": content hash " + hash + " is not " + hashAlgorithm);
            }
        }
        if (kind != EntryKind.SYMLINK && !symlink.isEmpty()) {
            throw new IllegalArgumentException(what(name) + ": a " + kind + " has symlink target '"
                    + RepositoryPath.printable(symlink) + "'");
        }
        if (kind == EntryKind.SYMLINK && symlink.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what(name) + ": symlink target contains NUL");
        }
        if (!RawName.isCanonical(symlink)) {
            throw new IllegalArgumentException(what(name) + ": symlink target '" + RepositoryPath.printable(symlink)
                    + "' stands for no bytes");
        }
        if (kind != EntryKind.DIRECTORY && (nestedMountpoint || nestedRoot || bindMountpoint)) {
            throw new IllegalArgumentException(what(name) + ": a " + kind + " cannot be a catalog transition point");
        }
        if ((nestedMountpoint ? 1 : 0) + (nestedRoot ? 1 : 0) + (bindMountpoint ? 1 : 0) > 1) {
            throw new IllegalArgumentException(what(name) + ": nested mountpoint, nested root and bind mountpoint exclude each other");
        }
        if (kind == EntryKind.DIRECTORY && hardlinkGroup != 0) {
            throw new IllegalArgumentException(what(name) + ": directories cannot be hard-linked (group " + hardlinkGroup + ")");
        }
        if (kind != EntryKind.REGULAR && (chunked || external || directIo || uncompressed)) {
            throw new IllegalArgumentException(what(name) + ": chunked, external, direct I/O and uncompressed apply to regular files only");
        }
    }

    /** How messages name the entry: only built for a refusal, never per valid entry. */
    private static String what(String name) {
        return "entry '" + RepositoryPath.printable(name) + "'";
    }

    /**
     * Every component compared, as a record's own equals would, but written out: the generated
     * one dispatches through method handles that the C1 compiler the tools run with does not
     * inline, and the catalog diff compares every entry of a leased subtree.
     */
    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        return o instanceof DirectoryEntry e && mode == e.mode && size == e.size && mtime == e.mtime
                && uid == e.uid && gid == e.gid && linkcount == e.linkcount && hardlinkGroup == e.hardlinkGroup
                && nestedMountpoint == e.nestedMountpoint && nestedRoot == e.nestedRoot
                && bindMountpoint == e.bindMountpoint && hidden == e.hidden && chunked == e.chunked
                && external == e.external && directIo == e.directIo && uncompressed == e.uncompressed
                && hashAlgorithm == e.hashAlgorithm && name.equals(e.name) && Objects.equals(mtimeNs, e.mtimeNs)
                && Objects.equals(hash, e.hash) && symlink.equals(e.symlink) && xattrs.equals(e.xattrs);
    }

    @Override
    public int hashCode() {
        int h = name.hashCode();
        h = 31 * h + mode;
        h = 31 * h + Long.hashCode(size);
        h = 31 * h + Long.hashCode(mtime);
        h = 31 * h + Objects.hashCode(mtimeNs);
        h = 31 * h + Long.hashCode(uid);
        h = 31 * h + Long.hashCode(gid);
        h = 31 * h + linkcount;
        h = 31 * h + Long.hashCode(hardlinkGroup);
        h = 31 * h + Objects.hashCode(hash);
        h = 31 * h + hashAlgorithm.hashCode();
        h = 31 * h + symlink.hashCode();
        h = 31 * h + (nestedMountpoint ? 1 : 0) + (nestedRoot ? 2 : 0) + (bindMountpoint ? 4 : 0) + (hidden ? 8 : 0)
                + (chunked ? 16 : 0) + (external ? 32 : 0) + (directIo ? 64 : 0) + (uncompressed ? 128 : 0);
        return 31 * h + xattrs.hashCode();
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

    /** Permission and special bits of {@code mode} without the type. */
    public int permissions() {
        return mode & ~EntryKind.S_IFMT;
    }

    public EntryFlags flags() {
        return EntryFlags.of(this);
    }

    /** The {@code hardlinks} column: group in the upper, linkcount in the lower 32 bits. */
    public long hardlinksColumn() {
        return (hardlinkGroup << 32) | (linkcount & MAX_U32);
    }

    /** This entry with all catalog transition bits cleared, as compared across a catalog boundary. */
    public DirectoryEntry withoutTransition() {
        return toBuilder().nestedMountpoint(false).nestedRoot(false).bindMountpoint(false).build();
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    /** A directory with the usual size 4096 and linkcount 2 (no subdirectories yet). */
    public static Builder directory(String name, int permissions) {
        return new Builder(name, EntryKind.S_IFDIR | (permissions & 07777)).size(DEFAULT_DIRECTORY_SIZE).linkcount(2);
    }

    /** A regular file whose content is the bulk object {@code hash}. */
    public static Builder regularFile(String name, int permissions, long size, ContentHash hash) {
        return new Builder(name, EntryKind.S_IFREG | (permissions & 07777)).size(size).hash(hash);
    }

    /** A chunked regular file without bulk object; its chunks carry hashes of {@code algorithm}. */
    public static Builder chunkedFile(String name, int permissions, long size, HashAlgorithm algorithm) {
        return new Builder(name, EntryKind.S_IFREG | (permissions & 07777)).size(size).chunked(true)
                .hashAlgorithm(algorithm);
    }

    /** A symlink (mode 0120777) whose size is the byte length of the target, as the client expects. */
    public static Builder symlink(String name, String target) {
        return new Builder(name, EntryKind.S_IFLNK | 0777).symlink(target)
                .size(RawName.byteLength(target));
    }

    /** Any entry, starting from a full {@code st_mode}. */
    public static Builder withMode(String name, int mode) {
        return new Builder(name, mode);
    }

    /** Mutable staging for a {@link DirectoryEntry}; validation happens in {@link #build()}. */
    public static final class Builder {
        private String name;
        private int mode;
        private long size;
        private long mtime;
        private Integer mtimeNs;
        private long uid;
        private long gid;
        private int linkcount = 1;
        private long hardlinkGroup;
        private ContentHash hash;
        private HashAlgorithm hashAlgorithm = HashAlgorithm.SHA1;
        private String symlink = "";
        private boolean nestedMountpoint;
        private boolean nestedRoot;
        private boolean bindMountpoint;
        private boolean hidden;
        private boolean chunked;
        private boolean external;
        private boolean directIo;
        private boolean uncompressed;
        private XattrList xattrs = XattrList.EMPTY;

        private Builder(String name, int mode) {
            this.name = name;
            this.mode = mode;
        }

        private Builder(DirectoryEntry e) {
            name = e.name;
            mode = e.mode;
            size = e.size;
            mtime = e.mtime;
            mtimeNs = e.mtimeNs;
            uid = e.uid;
            gid = e.gid;
            linkcount = e.linkcount;
            hardlinkGroup = e.hardlinkGroup;
            hash = e.hash;
            hashAlgorithm = e.hashAlgorithm;
            symlink = e.symlink;
            nestedMountpoint = e.nestedMountpoint;
            nestedRoot = e.nestedRoot;
            bindMountpoint = e.bindMountpoint;
            hidden = e.hidden;
            chunked = e.chunked;
            external = e.external;
            directIo = e.directIo;
            uncompressed = e.uncompressed;
            xattrs = e.xattrs;
        }

        public Builder name(String v) {
            name = v;
            return this;
        }

        public Builder mode(int v) {
            mode = v;
            return this;
        }

        public Builder size(long v) {
            size = v;
            return this;
        }

        public Builder mtime(long v) {
            mtime = v;
            return this;
        }

        public Builder mtimeNs(Integer v) {
            mtimeNs = v;
            return this;
        }

        public Builder uid(long v) {
            uid = v;
            return this;
        }

        public Builder gid(long v) {
            gid = v;
            return this;
        }

        public Builder linkcount(int v) {
            linkcount = v;
            return this;
        }

        public Builder hardlinkGroup(long v) {
            hardlinkGroup = v;
            return this;
        }

        /** Sets the bulk hash and, if non-null, the hash algorithm with it. */
        public Builder hash(ContentHash v) {
            hash = v;
            if (v != null) {
                hashAlgorithm = v.algorithm();
            }
            return this;
        }

        public Builder hashAlgorithm(HashAlgorithm v) {
            hashAlgorithm = v;
            return this;
        }

        public Builder symlink(String v) {
            symlink = v;
            return this;
        }

        public Builder nestedMountpoint(boolean v) {
            nestedMountpoint = v;
            return this;
        }

        public Builder nestedRoot(boolean v) {
            nestedRoot = v;
            return this;
        }

        public Builder bindMountpoint(boolean v) {
            bindMountpoint = v;
            return this;
        }

        public Builder hidden(boolean v) {
            hidden = v;
            return this;
        }

        public Builder chunked(boolean v) {
            chunked = v;
            return this;
        }

        public Builder external(boolean v) {
            external = v;
            return this;
        }

        public Builder directIo(boolean v) {
            directIo = v;
            return this;
        }

        public Builder uncompressed(boolean v) {
            uncompressed = v;
            return this;
        }

        public Builder xattrs(XattrList v) {
            xattrs = v;
            return this;
        }

        public DirectoryEntry build() {
            return new DirectoryEntry(name, mode, size, mtime, mtimeNs, uid, gid, linkcount, hardlinkGroup, hash,
                    hashAlgorithm, symlink, nestedMountpoint, nestedRoot, bindMountpoint, hidden, chunked, external,
                    directIo, uncompressed, xattrs);
        }
    }
}
