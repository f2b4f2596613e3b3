package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.name.FileSystemNames;

/**
 * The change set of an overlay transaction, found by scanning only its upper layer, as upstream's
 * publisher does ({@code sync_union_overlayfs}), and looking up the lower tree (the base) only
 * where the upper one has something: a regular file there is an addition or a content change
 * (copied up whole, so read from the upper layer), a directory or symbolic link there is an
 * addition or, if its attributes differ from the lower one's, an attribute change; a whiteout
 * removes the lower entry (its whole subtree for a directory); an opaque directory, and every
 * directory below it, removes the lower children the upper one lacks. A type change is a removal
 * plus an addition. The cost follows the size of the change, not of the subtree.
 *
 * <p>The walk goes depth first, each directory's entries in name order, and writes what it finds
 * straight into the change set's logs, which spill to {@code spillDir}: it holds one directory's
 * names per level, never the change set.
 */
final class UpperChanges {
    private final EntryLog<ScannedEntry> additions;
    private final EntryLog<ChangeSet.Modification> modifications;
    private final EntryLog<ScannedEntry> removals;

    private UpperChanges(Path spillDir, int memoryLimit) {
        additions = new EntryLog<>(ChangeSet.ENTRIES, spillDir, memoryLimit);
        modifications = new EntryLog<>(ChangeSet.MODIFICATIONS, spillDir, memoryLimit);
        removals = new EntryLog<>(ChangeSet.ENTRIES, spillDir, memoryLimit);
    }

    /**
     * @param baseHasRoot whether the base catalogs hold the lease path; if not, its directory is added
     * @param spillDir where the change set's logs go beyond {@link EntryLog#MEMORY_LIMIT} entries
     */
    static ChangeSet compute(Path upper, Path lower, RepositoryPath leasePath, boolean baseHasRoot, Path spillDir) {
        return compute(upper, lower, leasePath, baseHasRoot, spillDir, EntryLog.MEMORY_LIMIT);
    }

    static ChangeSet compute(Path upper, Path lower, RepositoryPath leasePath, boolean baseHasRoot, Path spillDir,
                             int memoryLimit) {
        UpperChanges c = new UpperChanges(spillDir, memoryLimit);
        ChangeSet changes = new ChangeSet(leasePath, c.additions, c.modifications, c.removals);
        try {
            ScannedEntry top = TreeScanner.entry(upper, leasePath);
            if (baseHasRoot) {
                c.compare(TreeScanner.entry(lower, leasePath), top);
                c.walk(upper, lower, leasePath, false);
            } else {
                c.additions.add(top);
                c.walk(upper, null, leasePath, false);
            }
            return changes;
        } catch (RuntimeException e) {
            changes.close();
            throw e;
        }
    }

    /**
     * @param lowerDir the lower directory of the same path, null where the lower tree has none
     * @param complete the upper directory shows all there is (it or an ancestor is opaque)
     */
    private void walk(Path upperDir, Path lowerDir, RepositoryPath dir, boolean complete) {
        Set<Path> names = new HashSet<>();
        for (Path upperFile : sortedChildren(upperDir, dir)) {
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
                additions.add(now);
            } else {
                compare(before, now);
            }
            if (now.isDirectory()) {
                walk(upperFile, before == null ? null : lowerFile, path, complete || OverlayEntries.isOpaque(upperFile));
            }
        }
        if (complete && lowerDir != null) {
            for (Path lowerFile : sortedChildren(lowerDir, dir)) {
                if (!names.contains(lowerFile.getFileName())) {
                    RepositoryPath path = TreeScanner.childPath(dir, lowerFile);
                    removeSubtree(lowerFile, TreeScanner.entry(lowerFile, path));
                }
            }
        }
    }

    /** The same path in both layers, of the same type. */
    private void compare(ScannedEntry before, ScannedEntry now) {
        if (now.isRegular()) {
            modifications.add(new ChangeSet.Modification(before, now, true));
        } else if (!before.sameAttributes(now)) {
            modifications.add(new ChangeSet.Modification(before, now, false));
        }
    }

    /** A lower entry and, for a directory, everything below it, root first. */
    private void removeSubtree(Path lowerFile, ScannedEntry gone) {
        removals.add(gone);
        if (gone.isDirectory()) {
            for (Path child : sortedChildren(lowerFile, gone.path())) {
                removeSubtree(child, TreeScanner.entry(child, TreeScanner.childPath(gone.path(), child)));
            }
        }
    }

    /** One directory's entries in name order, so that the change set comes out in tree order. */
    private static List<Path> sortedChildren(Path directory, RepositoryPath dir) {
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> listing = Files.newDirectoryStream(directory)) {
            listing.forEach(children::add);
        } catch (NoSuchFileException e) {
            throw new TreeScanException(dir + " disappeared while the upper layer was scanned", e);
        } catch (IOException e) {
            throw new TreeScanException("cannot list " + dir + " (" + directory + "): " + e, e);
        }
        children.sort(Comparator.comparing(p -> FileSystemNames.nameOf(p)));
        return children;
    }
}
