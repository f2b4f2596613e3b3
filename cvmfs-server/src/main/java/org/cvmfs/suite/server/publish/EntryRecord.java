package org.cvmfs.suite.server.publish;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.name.RawName;

/**
 * One {@link ScannedEntry} as the spool's files hold it (the tree snapshot, {@link TreeSnapshotFile};
 * the change set's lists, {@link EntryLog}): the path, the attributes, the link target. Paths
 * and targets are their raw bytes ({@link RawName}), valid UTF-8 or not, after their length.
 */
final class EntryRecord {
    /** Far beyond any path or link target a file system holds: a longer one is a damaged file. */
    static final int MAX_STRING_BYTES = 1 << 20;

    /** Where a string that cannot be read is reported from. */
    @FunctionalInterface
    interface Damage {
        RuntimeException of(String why);
    }

    private EntryRecord() {
    }

    static void write(DataOutputStream out, ScannedEntry e) throws IOException {
        writeString(out, e.path().toString());
        out.writeInt(e.mode());
        out.writeLong(e.uid());
        out.writeLong(e.gid());
        out.writeLong(e.size());
        out.writeLong(e.mtimeNanos());
        out.writeLong(e.ctimeNanos());
        out.writeLong(e.device());
        out.writeLong(e.inode());
        out.writeInt(e.linkCount());
        writeString(out, e.symlinkTarget());
    }

    static ScannedEntry read(DataInputStream in, Damage damage) throws IOException {
        RepositoryPath path = RepositoryPath.of(readString(in, "path", damage));
        return new ScannedEntry(path, in.readInt(), in.readLong(), in.readLong(), in.readLong(), in.readLong(),
                in.readLong(), in.readLong(), in.readLong(), in.readInt(), readString(in, "symlink target", damage));
    }

    static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = RawName.encode(s);
        out.writeInt(b.length);
        out.write(b);
    }

    static String readString(DataInputStream in, String field, Damage damage) throws IOException {
        int length = in.readInt();
        if (length < 0 || length > MAX_STRING_BYTES) {
            throw damage.of(field + " length " + length + " is out of range");
        }
        byte[] b = in.readNBytes(length);
        if (b.length != length) {
            throw new EOFException();
        }
        return RawName.decode(b);
    }
}
