package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Replaces the files at the root of a served repository ({@code .cvmfspublished},
 * {@code .cvmfswhitelist}, {@code .cvmfsreflog}) so that a client or a Stratum-1 reading at any
 * moment sees either the old or the new file, never a mix: write a temporary sibling, flush it to
 * disk, rename it over the target.
 */
final class RootFiles {
    private RootFiles() {
    }

    static void replace(Path target, byte[] content) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = null;
        try {
            tmp = Files.createTempFile(dir, target.getFileName() + ".", ".tmp");
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ByteBuffer buf = ByteBuffer.wrap(content);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
                ch.force(true);
            }
            // temp files are created 0600; served files must be world-readable
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
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
                    // a stray temporary file is not served under any name clients request
                }
            }
        }
    }
}
