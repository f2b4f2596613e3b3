package org.cvmfs.suite.protocol.repository.check;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.RepositoryKeys;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.HeadPublisher;
import org.cvmfs.suite.protocol.repository.PendingReflog;
import org.cvmfs.suite.protocol.repository.ReflogChecksum;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryLock;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;

/**
 * {@code cvmfs_server check -r}: brings {@code reflog.chksum} in line with the served reflog as
 * upstream's repair does (re-created when missing, restored when it differs, removed when no
 * reflog is served), after first finishing or dropping a publication a crash interrupted
 * ({@link HeadPublisher#recover}). Holds the repository's lock. Returns what it changed, one line
 * each, for the command to print; nothing when all agreed. A reflog the manifest names but that
 * is missing is rebuilt from the catalog and history chains, as upstream's {@code -r} does
 * ({@link #rebuild}).
 */
public final class ReflogRepair {
    private ReflogRepair() {
    }

    public static List<String> repair(RepositoryLayout layout, Clock clock) {
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
                if (y.isPresent()) {
                    actions.add(rebuild(layout, y.get(), clock)); // replaces reflog.chksum too
                } else if (stored.isPresent()) {
                    deleteChecksum(layout);
                    actions.add("removed dangling reflog checksum " + layout.reflogChecksum());
                }
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

    /**
     * The manifest names a reflog that is gone: rebuilt from what the head reaches
     * ({@link ReflogReconstruction}) and installed by re-signing the head with it
     * ({@link HeadPublisher#resignWithRebuiltReflog}), so manifest, reflog and checksum agree and
     * the next publication, which trusts only a reflog matching {@code Y}, succeeds. Upstream
     * writes the rebuilt reflog and checksum and leaves the stale {@code Y} to its next publication;
     * ours would refuse that reflog, hence the re-signing (which needs the repository key).
     */
    private static String rebuild(RepositoryLayout layout, ContentHash lost, Clock clock) {
        String missing = "the manifest names reflog " + lost.toText() + " but " + Reflog.FILE_NAME + " is missing";
        RepositoryKeys keys;
        try {
            keys = layout.keyDirectory().readRepositoryKeys(layout.fqrn());
        } catch (RuntimeException e) {
            return missing + "; cannot rebuild it without the repository key: " + e.getMessage();
        }
        LocalRepositorySource store = new LocalRepositorySource(layout.servedRoot());
        AtomicInteger entries = new AtomicInteger();
        SignedManifest head = new HeadPublisher(layout, keys, clock).resignWithRebuiltReflog(manifest -> {
            Reflog rebuilt = ReflogReconstruction.of(manifest, store, layout.tmpDir(), clock.instant());
            entries.set(rebuilt.entries().size());
            return rebuilt;
        });
        return missing + "; re-created it with " + entries.get() + " entries from the catalog and history chains"
                + " and re-signed revision " + head.manifest().revision() + " with reflog "
                + head.manifest().reflog().toText();
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
