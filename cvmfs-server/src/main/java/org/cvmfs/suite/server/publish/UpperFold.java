package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * After a commit of an overlay transaction landed: the upper layer is moved into the lower tree
 * (renames within the spool's file system: no content is copied), so that the lower tree holds
 * the new revision's subtree and the next transaction opens without materialising anything.
 * Whiteouts remove the lower entry, an opaque directory replaces the lower one, a directory
 * present in both is merged and then takes the upper one's attributes; whiteouts and overlay
 * attributes never reach the lower tree.
 *
 * <p>Invariant (steps named by {@link FoldStep}): the overlay is unmounted first (the kernel
 * does not allow changing its layers while mounted); the lower record is set to "folding"
 * before the first entry moves and to "current at the new head's root" (or removed, if that
 * root is not known) after the last; the upper layer
 * is cleared only after that. A fold is only started from a record "current at the base root",
 * so one interrupted midway is never resumed: its lower tree is recorded as nothing, and the
 * next {@code transaction} brings it to the head with {@link Materializer}, which trusts an
 * entry of its last snapshot only with the same inode and change time, so that no moved entry
 * (a rename changes the ctime; a copied-up file has a new inode) is taken for the old one. A
 * directory moves whole only where the lower tree has nothing of its name: what lies below it
 * keeps its ctime, but every entry there is an upper-layer inode that no snapshot of the lower
 * tree has seen.
 * Killed after the commit, the transaction state is still COMMITTING, so the next
 * {@code publish} finishes the commit and runs this again. {@code OverlayFoldCrashTest} kills a
 * {@code cvmfs_server} at each boundary.
 */
final class UpperFold {
    private final PublisherSpool spool;
    private boolean moved;

    UpperFold(PublisherSpool spool) {
        this.spool = spool;
    }

    /**
     * Folds (or, if an earlier fold was cut short, gives up on the lower tree), then clears the
     * upper layer.
     *
     * @param landedRoot the head's root catalog holding the commit, if known; the folded lower
     *                   tree is recorded current at it, or left unrecorded without it
     */
    void fold(RepositoryPath leasePath, ContentHash baseRoot, Optional<ContentHash> landedRoot) {
        FoldStep.COMMIT_LANDED.reached();
        LowerRecord record = new LowerRecord(spool.lowerRecordFile(leasePath));
        Path lowerTree = spool.lowerTree(leasePath);
        boolean startable = record.current().filter(c -> c.leasePath().equals(leasePath) && c.root().equals(baseRoot))
                .isPresent();
        if (startable && Files.isDirectory(spool.upperTree(), LinkOption.NOFOLLOW_LINKS)) {
            record.folding();
            try {
                Map<String, Object> top = OverlayEntries.attributes(spool.upperTree());
                if (isEmpty(lowerTree) && OverlayEntries.holdsNoOverlayMarks(spool.upperTree())) {
                    // a lease path this host had nothing of: the upper layer becomes the lower tree
                    // by one rename over the empty directory (rename replaces an empty directory)
                    Files.move(spool.upperTree(), lowerTree, StandardCopyOption.ATOMIC_MOVE);
                    entryMoved();
                } else {
                    merge(spool.upperTree(), lowerTree);
                }
                OverlayEntries.setAttributes(lowerTree, top);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot fold " + spool.upperTree() + " into " + lowerTree, e);
            }
            if (landedRoot.isPresent()) {
                record.current(landedRoot.get(), leasePath);
            } else {
                record.forget();
            }
        } else if (record.isFolding()) {
            record.forget();
        }
        FoldStep.FOLDED.reached();
        spool.clearOverlayLayers();
    }

    /**
     * One {@code lstat} of each upper entry and, for a file, one {@code rename}: a publication folds
     * thousands. A directory new to the lower tree moves whole, after a walk that finds no whiteout
     * or opaque marker in it (a rename costs some ten times an {@code lstat} here).
     */
    private void merge(Path upperDir, Path lowerDir) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(upperDir)) {
            for (Path upperFile : children) {
                Path lowerFile = lowerDir.resolve(upperFile.getFileName());
                OverlayEntries.Kind kind = OverlayEntries.kind(upperFile);
                if (kind == OverlayEntries.Kind.WHITEOUT) {
                    DirectoryTree.delete(lowerFile);
                } else if (kind == OverlayEntries.Kind.DIRECTORY && !Files.isDirectory(lowerFile, LinkOption.NOFOLLOW_LINKS)
                        && OverlayEntries.holdsNoOverlayMarks(upperFile)) {
                    // a directory the lower tree does not have, with nothing the overlay marked in it:
                    // one rename moves everything below it (a release adds thousands of files this way)
                    DirectoryTree.delete(lowerFile);
                    Files.move(upperFile, lowerFile, StandardCopyOption.ATOMIC_MOVE);
                } else if (kind == OverlayEntries.Kind.DIRECTORY) {
                    if (!Files.isDirectory(lowerFile, LinkOption.NOFOLLOW_LINKS) || OverlayEntries.isOpaque(upperFile)) {
                        DirectoryTree.delete(lowerFile);
                        Files.createDirectory(lowerFile);
                    }
                    Map<String, Object> attributes = OverlayEntries.attributes(upperFile);
                    merge(upperFile, lowerFile);
                    OverlayEntries.setAttributes(lowerFile, attributes);
                } else {
                    moveOver(upperFile, lowerFile);
                }
                entryMoved();
            }
        }
    }

    private void entryMoved() {
        if (!moved) {
            moved = true;
            FoldStep.ENTRY_MOVED.reached();
        }
    }

    private static boolean isEmpty(Path directory) throws IOException {
        try (DirectoryStream<Path> children = Files.newDirectoryStream(directory)) {
            return !children.iterator().hasNext();
        }
    }

    /** Renames a non-directory over its lower entry; a lower directory of its name (rename refuses that) goes first. */
    private static void moveOver(Path upperFile, Path lowerFile) throws IOException {
        try {
            Files.move(upperFile, lowerFile, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileSystemException e) {
            if (!Files.isDirectory(lowerFile, LinkOption.NOFOLLOW_LINKS)) {
                throw e;
            }
            DirectoryTree.delete(lowerFile);
            Files.move(upperFile, lowerFile, StandardCopyOption.ATOMIC_MOVE);
        }
    }
}
