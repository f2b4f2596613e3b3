package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Optional;
import org.cvmfs.suite.protocol.files.AtomicFile;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * {@code /var/spool/cvmfs/REPO/reflog.chksum}: the server's own record of the last reflog digest
 * (hex plus algorithm identifier, no newline), a second source of truth next to the manifest's
 * {@code Y}.
 */
public final class ReflogChecksum {
    /** A digest line is at most 49 characters; anything much longer is not one. */
    private static final int MAX_BYTES = 256;

    private ReflogChecksum() {
    }

    public static Optional<ContentHash> read(RepositoryLayout layout) {
        byte[] bytes;
        try {
            if (Files.size(layout.reflogChecksum()) > MAX_BYTES) {
                throw new RepositoryException(layout.reflogChecksum() + " is too large to hold a reflog digest");
            }
            bytes = Files.readAllBytes(layout.reflogChecksum());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + layout.reflogChecksum(), e);
        }
        String text = new String(bytes, StandardCharsets.US_ASCII).strip();
        try {
            return Optional.of(ContentHash.parse(text, ObjectSuffix.NONE));
        } catch (IllegalArgumentException e) {
            throw new RepositoryException(layout.reflogChecksum() + " does not hold a reflog digest: '"
                    + (text.length() > 60 ? text.substring(0, 60) + "..." : text) + "'");
        }
    }

    public static void write(RepositoryLayout layout, ContentHash digest) {
        try {
            Files.createDirectories(layout.spoolDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + layout.spoolDir(), e);
        }
        AtomicFile.replace(layout.reflogChecksum(), digest.toText().getBytes(StandardCharsets.US_ASCII));
    }
}
