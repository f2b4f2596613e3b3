package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;

/**
 * The change set of an overlay transaction, found by scanning only its upper layer, as upstream's
 * publisher does ({@code sync_union_overlayfs}), and looking up the lower tree (the base) only
 * where the upper one has something: a regular file there is an addition or a content change
 * (copied up whole, so read from the upper layer), a directory or symbolic link there is an
 * addition or, if its attributes differ from the lower one's, an attribute change; a whiteout
 * removes the lower entry (its whole subtree for a directory); an opaque directory, and every
 * directory below it, removes the lower children the upper one lacks. A type change is a removal
 * plus an addition. The cost follows the size of the change, not of the subtree.
 */
final class UpperChanges {
    private final TreeMap<RepositoryPath, ScannedEntry> additions = new TreeMap<>();
    private final TreeMap<RepositoryPath, ChangeSet.Modification> modifications = new TreeMap<>();
    private final TreeMap<RepositoryPath, ScannedEntry> removals = new TreeMap<>();

    private UpperChanges() {
    }

    /**
     * @param baseHasRoot whether the base catalogs hold the lease path; if not, its directory is added
     */
    static ChangeSet compute(Path upper, Path lower, RepositoryPath leasePath, boolean baseHasRoot) {
        UpperChanges c = new UpperChanges();
        ScannedEntry top = TreeScanner.entry(upper, leasePath);
        if (baseHasRoot) {
            c.compare(TreeScanner.entry(lower, leasePath), top);
            c.walk(upper, lower, leasePath, false);
        } else {
            c.additions.put(leasePath, top);
            c.walk(upper, null, leasePath, false);
        }
        return ChangeSet.of(leasePath, c.additions, c.modifications, c.removals);
    }

    /**
     * @param lowerDir the lower directory of the same path, null where the lower tree has none
     * @param complete the upper directory shows all there is (it or an ancestor is opaque)
     */
    private void walk(Path upperDir, Path lowerDir, RepositoryPath dir, boolean complete) {
        Set<Path> names = new HashSet<>();
        try (DirectoryStream<Path> children = Files.newDirectoryStream(upperDir)) {
            for (Path upperFile : children) {
                RepositoryPath path = TreeScanner.childPath(dir, upperFile);
                names.add(upperFile.getFileName());
                Path lowerFile = lowerDir == null ? null : lowerDir.resolve(upperFile.getFileName());
                ScannedEntry before = lowerFile != null && OverlayEntries.exists(lowerFile)
                        ? TreeScanner.entry(lowerFile, path) : null;
                Optional<ScannedEntry> upperEntry = TreeScanner.upperEntry(upperFile, path);
                if (upperEntry.isEmpty()) {
                    // a whiteout
                    if (before != null) {
                        removeSubtree(lowerFile, before);
                    }
                    continue;
                }
                ScannedEntry now = upperEntry.get();
                if (before != null && before.kind() != now.kind()) {
                    removeSubtree(lowerFile, before);
                    before = null;
                }
                if (before == null) {
                    additions.put(path, now);
                } else {
                    compare(before, now);
                }
                if (now.isDirectory()) {
                    walk(upperFile, before == null ? null : lowerFile, path,
                            complete || OverlayEntries.isOpaque(upperFile));
                }
            }
        } catch (NoSuchFileException e) {
            throw new TreeScanException(dir + " disappeared while the upper layer was scanned", e);
        } catch (IOException e) {
            throw new TreeScanException("cannot list " + dir + " (" + upperDir + "): " + e, e);
        }
        if (complete && lowerDir != null) {
            try (DirectoryStream<Path> hidden = Files.newDirectoryStream(lowerDir)) {
                for (Path lowerFile : hidden) {
                    if (!names.contains(lowerFile.getFileName())) {
                        RepositoryPath path = TreeScanner.childPath(dir, lowerFile);
                        removeSubtree(lowerFile, TreeScanner.entry(lowerFile, path));
                    }
                }
            } catch (IOException e) {
                throw new TreeScanException("cannot list " + dir + " (" + lowerDir + "): " + e, e);
            }
        }
    }

    /** The same path in both layers, of the same type. */
    private void compare(ScannedEntry before, ScannedEntry now) {
        if (now.isRegular()) {
            modifications.put(now.path(), new ChangeSet.Modification(before, now, true));
        } else if (!before.sameAttributes(now)) {
            modifications.put(now.path(), new ChangeSet.Modification(before, now, false));
        }
    }

    private void removeSubtree(Path lowerFile, ScannedEntry gone) {
        if (gone.isDirectory()) {
            removals.putAll(TreeScanner.scan(lowerFile, gone.path()).entries());
        } else {
            removals.put(gone.path(), gone);
        }
    }
}
