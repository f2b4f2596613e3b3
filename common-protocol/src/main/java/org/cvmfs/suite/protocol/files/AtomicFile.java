package org.cvmfs.suite.protocol.files;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/**
 * Replaces a file so that a reader at any moment (a client, a Stratum-1, the next start of a
 * service) and the disk after a crash see either the old or the new content, never a mix: the
 * bytes go to a hidden temporary sibling with a unique name, are forced to disk, the sibling is
 * renamed over the target and the directory is forced, so that the rename itself survives a
 * power cut. On any failure the temporary sibling is removed; a process killed in between leaves
 * at most a hidden {@code .NAME.*.tmp} that no reader opens.
 */
public final class AtomicFile {
    /** Served or read by others. */
    public static final Set<PosixFilePermission> WORLD_READABLE = PosixFilePermissions.fromString("rw-r--r--");
    /** Secrets such as a lease token. */
    public static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    /** Writes the new content of a file being replaced. */
    @FunctionalInterface
    public interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private AtomicFile() {
    }

    /** Writes {@code content} as {@code target}, world-readable (mode 0644); the directory must exist. */
    public static void replace(Path target, byte[] content) {
        replace(target, content, WORLD_READABLE);
    }

    /** Writes {@code content} as {@code target} with file mode {@code mode}; the directory must exist. */
    public static void replace(Path target, byte[] content, Set<PosixFilePermission> mode) {
        replace(target, mode, out -> out.write(content));
    }

    /**
     * Writes what {@code content} streams as {@code target} with file mode {@code mode} (large
     * files need not be held in memory); the directory must exist.
     */
    public static void replace(Path target, Set<PosixFilePermission> mode, Content content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            // created 0600, so that no one reads a secret before its mode is set
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 16);
                content.writeTo(out);
                out.flush();
                ch.force(true);
            }
            Files.setPosixFilePermissions(tmp, mode);
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("file system of " + dir + " cannot rename atomically", e);
            }
            tmp = null;
            forceDirectory(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot replace " + target, e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray hidden temporary file is read by no one
                }
            }
        }
    }

    /** Makes a rename in {@code dir} durable; some file systems cannot sync a directory, where the rename is still atomic. */
    private static void forceDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException unsupported) {
            // durable on the next sync of the file system; the replacement stays atomic
        }
    }
}
