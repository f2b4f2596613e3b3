package org.cvmfs.suite.protocol.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Replaces a file so that a reader at any moment (a client, a Stratum-1, the next start of a
 * service) and the disk after a crash see either the old or the new content, never a mix: the
 * bytes go to a hidden temporary sibling, are forced to disk, and the sibling is renamed over
 * the target.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** Writes {@code content} as {@code target}, world-readable (mode 0644); the directory must exist. */
    public static void replace(Path target, byte[] content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            // temporary files start 0600; what is replaced here is served or read by others
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("file system of " + dir + " cannot rename atomically", e);
            }
            tmp = null;
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
}
