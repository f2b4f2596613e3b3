package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Arrays;
import java.util.Optional;
import org.cvmfs.suite.protocol.files.AtomicFile;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.SignedManifest;

/**
 * {@code /var/spool/cvmfs/REPO/reflog.pending}: the reflog of a revision being installed, kept
 * until {@code .cvmfsreflog} and {@code reflog.chksum} both name it. It is what lets a crash at
 * any step of {@link HeadPublisher}'s installation be finished or undone from what is on disk:
 * if the served manifest's {@code Y} names the pending reflog, the revision was published and
 * the pending reflog is put in place; otherwise the revision never was, and it is dropped.
 */
public final class PendingReflog {
    /** What {@link #recover} did. */
    public enum Outcome {
        /** No publication was interrupted. */
        NOTHING,
        /** An interrupted publication had replaced the manifest; reflog and checksum now follow it. */
        COMPLETED,
        /** An interrupted publication had not replaced the manifest; its staged reflog is gone. */
        DISCARDED
    }

    private PendingReflog() {
    }

    static void stage(RepositoryLayout layout, byte[] reflog) {
        createSpool(layout);
        AtomicFile.replace(layout.pendingReflog(), reflog);
    }

    static void discard(RepositoryLayout layout) {
        try {
            Files.deleteIfExists(layout.pendingReflog());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + layout.pendingReflog(), e);
        }
    }

    /**
     * Finishes or undoes an interrupted installation. The caller holds the repository's lock
     * ({@link HeadPublisher#recover} takes it).
     */
    static Outcome recoverLocked(RepositoryLayout layout) {
        Optional<byte[]> pending = read(layout);
        if (pending.isEmpty()) {
            return Outcome.NOTHING;
        }
        Optional<Manifest> served = servedManifest(layout);
        ContentHash y = served.map(Manifest::reflog).orElse(null);
        if (y == null || !Reflog.digestOf(pending.get(), y.algorithm()).equals(y)) {
            discard(layout);
            return Outcome.DISCARDED;
        }
        if (!sameBytes(layout, pending.get())) {
            AtomicFile.replace(layout.reflog(), pending.get());
        }
        if (!ReflogChecksum.read(layout).map(y::equals).orElse(false)) {
            ReflogChecksum.write(layout, y);
        }
        discard(layout);
        return Outcome.COMPLETED;
    }

    private static Optional<byte[]> read(RepositoryLayout layout) {
        try {
            return Optional.of(Files.readAllBytes(layout.pendingReflog()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + layout.pendingReflog(), e);
        }
    }

    private static Optional<Manifest> servedManifest(RepositoryLayout layout) {
        try {
            return Optional.of(SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest());
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + layout.manifest(), e);
        } catch (ManifestException e) {
            throw new RepositoryException("the served manifest of " + layout.fqrn() + " is unreadable: "
                    + e.getMessage(), e);
        }
    }

    private static boolean sameBytes(RepositoryLayout layout, byte[] expected) {
        try {
            return Arrays.equals(Files.readAllBytes(layout.reflog()), expected);
        } catch (NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + layout.reflog(), e);
        }
    }

    private static void createSpool(RepositoryLayout layout) {
        try {
            Files.createDirectories(layout.spoolDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + layout.spoolDir(), e);
        }
    }
}
