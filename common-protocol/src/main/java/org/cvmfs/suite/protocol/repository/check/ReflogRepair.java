package org.cvmfs.suite.protocol.repository.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.HeadPublisher;
import org.cvmfs.suite.protocol.repository.PendingReflog;
import org.cvmfs.suite.protocol.repository.ReflogChecksum;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryLock;

/**
 * {@code cvmfs_server check -r}: brings {@code reflog.chksum} in line with the served reflog as
 * upstream's repair does (re-created when missing, restored when it differs, removed when no
 * reflog is served), after first finishing or dropping a publication a crash interrupted
 * ({@link HeadPublisher#recover}). Holds the repository's lock. Returns what it changed, one line
 * each, for the command to print; nothing when all agreed. A reflog the manifest names but that
 * is missing is reported, not rebuilt (upstream reconstructs it from the catalogs; we do not).
 */
public final class ReflogRepair {
    private ReflogRepair() {
    }

    public static List<String> repair(RepositoryLayout layout) {
        List<String> actions = new ArrayList<>();
        try (RepositoryLock lock = RepositoryLock.acquire(layout)) {
            PendingReflog.Outcome outcome = HeadPublisher.recover(layout);
            if (outcome == PendingReflog.Outcome.COMPLETED) {
                actions.add("completed the publication a crash interrupted (reflog and reflog.chksum put in place)");
            } else if (outcome == PendingReflog.Outcome.DISCARDED) {
                actions.add("dropped the staged reflog of a publication that never replaced the manifest");
            }
            Optional<ContentHash> stored = readChecksum(layout, actions);
            Optional<byte[]> served = readReflog(layout);
            Optional<ContentHash> y = servedY(layout);
            if (served.isEmpty()) {
                if (stored.isPresent()) {
                    deleteChecksum(layout);
                    actions.add("removed dangling reflog checksum " + layout.reflogChecksum());
                }
                y.ifPresent(h -> actions.add("the manifest names reflog " + h.toText() + " but "
                        + Reflog.FILE_NAME + " is missing; not reconstructed"));
                return actions;
            }
            HashAlgorithm algorithm = stored.map(ContentHash::algorithm)
                    .or(() -> y.map(ContentHash::algorithm)).orElse(HashAlgorithm.SHA1);
            ContentHash computed = Reflog.digestOf(served.get(), algorithm);
            if (stored.isEmpty()) {
                ReflogChecksum.write(layout, computed);
                actions.add("re-created missing reflog checksum as " + computed.toText());
            } else if (!stored.get().equals(computed)) {
                ReflogChecksum.write(layout, computed);
                actions.add("restored reflog checksum as " + computed.toText() + " (was: " + stored.get().toText() + ")");
            }
            return actions;
        }
    }

    private static Optional<ContentHash> readChecksum(RepositoryLayout layout, List<String> actions) {
        try {
            return ReflogChecksum.read(layout);
        } catch (RuntimeException unreadable) {
            actions.add("replacing unreadable " + layout.reflogChecksum() + ": " + unreadable.getMessage());
            deleteChecksum(layout);
            return Optional.empty();
        }
    }

    private static Optional<byte[]> readReflog(RepositoryLayout layout) {
        try {
            return Optional.of(Files.readAllBytes(layout.reflog()));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + layout.reflog(), e);
        }
    }

    private static Optional<ContentHash> servedY(RepositoryLayout layout) {
        try {
            Manifest m = SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest();
            return Optional.ofNullable(m.reflog());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static void deleteChecksum(RepositoryLayout layout) {
        try {
            Files.deleteIfExists(layout.reflogChecksum());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + layout.reflogChecksum(), e);
        }
    }
}
