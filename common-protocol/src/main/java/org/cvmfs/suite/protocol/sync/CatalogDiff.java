package org.cvmfs.suite.protocol.sync;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.catalog.CatalogDelta;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.NestedCatalogRef;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;

/**
 * The recursive comparison of two catalog hierarchies that a gateway receiver runs between the
 * catalog a publisher started from and the one it uploaded (spec 10, step 3). Only paths inside
 * the lease are reported; its ancestors are traversed, everything else is skipped. Listings are
 * merged by name with hidden entries left out. Identical nested catalogs are not descended.
 *
 * <p>Event order lets {@link CatalogMerge} apply each change as it comes: a removed directory's
 * children are reported before it, an added directory before its children. A change of type
 * between directory and file is reported once and stands for the whole subtree on the old side.
 *
 * <p>A directory whose catalog has the same mountpoint on both sides is listed only if a
 * {@link CatalogDelta} of the two revisions of that catalog says a row below it changed: the
 * others would report nothing. Identical catalogs (the same hash) have no changed row.
 */
public final class CatalogDiff {
    private final CatalogHierarchy oldTree;
    private final CatalogHierarchy newTree;
    private final RepositoryPath lease;
    private final Consumer<CatalogChange> sink;
    /** The delta of each catalog compared so far, by mountpoint; absent for identical catalogs. */
    private final Map<RepositoryPath, Optional<CatalogDelta>> deltas = new HashMap<>();

    private CatalogDiff(CatalogHierarchy oldTree, CatalogHierarchy newTree, RepositoryPath lease,
            Consumer<CatalogChange> sink) {
        this.oldTree = oldTree;
        this.newTree = newTree;
        this.lease = lease;
        this.sink = sink;
    }

    /** Streams the changes from {@code oldTree} to {@code newTree} inside {@code lease} to {@code sink}. */
    public static void run(CatalogHierarchy oldTree, CatalogHierarchy newTree, RepositoryPath lease,
            Consumer<CatalogChange> sink) {
        new CatalogDiff(oldTree, newTree, lease, sink).directory(RepositoryPath.ROOT);
    }

    /** The changes as a list, for small diffs and tests. */
    public static List<CatalogChange> changes(CatalogHierarchy oldTree, CatalogHierarchy newTree, RepositoryPath lease) {
        List<CatalogChange> out = new ArrayList<>();
        run(oldTree, newTree, lease, out::add);
        return out;
    }

    private boolean reportable(RepositoryPath path) {
        return path.isSameOrUnder(lease);
    }

    private boolean ignored(RepositoryPath path) {
        return !path.isSameOrUnder(lease) && !lease.isSameOrUnder(path);
    }

    private void directory(RepositoryPath dir) {
        if (ignored(dir) || unchangedBelow(dir)) {
            return;
        }
        List<DirectoryEntry> before = visible(oldTree, dir);
        List<DirectoryEntry> after = visible(newTree, dir);
        int i = 0;
        int j = 0;
        while (i < before.size() || j < after.size()) {
            int order = i == before.size() ? 1 : j == after.size() ? -1
                    : before.get(i).name().compareTo(after.get(j).name());
            if (order > 0) {
                added(dir, after.get(j++));
            } else if (order < 0) {
                removed(dir, before.get(i++));
            } else {
                changed(dir, before.get(i++), after.get(j++));
            }
        }
    }

    /** True if {@code dir}'s catalog is the same catalog on both sides and no row below {@code dir} changed. */
    private boolean unchangedBelow(RepositoryPath dir) {
        RepositoryPath mountpoint = oldTree.mountpointFor(dir);
        if (!mountpoint.equals(newTree.mountpointFor(dir))) {
            return false;
        }
        Optional<CatalogDelta> delta = deltas.computeIfAbsent(mountpoint, m ->
                oldTree.catalogHashFor(dir).equals(newTree.catalogHashFor(dir)) ? Optional.empty()
                        : Optional.of(CatalogDelta.between(oldTree.catalogFor(dir), newTree.catalogFor(dir))));
        return delta.isEmpty() || !delta.get().changedBelow(dir);
    }

    private static List<DirectoryEntry> visible(CatalogHierarchy tree, RepositoryPath dir) {
        return tree.listing(dir).stream().filter(e -> !e.hidden()).toList();
    }

    private void added(RepositoryPath dir, DirectoryEntry entry) {
        RepositoryPath path = dir.child(entry.name());
        if (ignored(path)) {
            return;
        }
        if (reportable(path)) {
            sink.accept(CatalogChange.addition(path, entry, newChunks(path, entry), newNested(path, entry)));
        }
        if (entry.isDirectory()) {
            directory(path);
        }
    }

    private void removed(RepositoryPath dir, DirectoryEntry entry) {
        RepositoryPath path = dir.child(entry.name());
        if (ignored(path)) {
            return;
        }
        if (entry.isDirectory() && !entry.nestedMountpoint()) {
            directory(path);
        }
        if (reportable(path)) {
            sink.accept(CatalogChange.removal(path, entry));
        }
    }

    private void changed(RepositoryPath dir, DirectoryEntry before, DirectoryEntry after) {
        RepositoryPath path = dir.child(before.name());
        if (ignored(path)) {
            return;
        }
        boolean same = before.equals(after);
        boolean bothMountpoints = before.nestedMountpoint() && after.nestedMountpoint();
        if (same && bothMountpoints && nestedHash(oldTree, path).equals(nestedHash(newTree, path))) {
            return;
        }
        if (reportable(path) && (!same || bothMountpoints)) {
            sink.accept(CatalogChange.modification(path, before, after, newChunks(path, after), newNested(path, after)));
            if (bothMountpoints || before.isDirectory() != after.isDirectory()) {
                // a swapped catalog or a replaced subtree: the change stands for everything below
                if (after.isDirectory() && !bothMountpoints) {
                    directory(path);
                }
                return;
            }
        }
        if (before.isDirectory() && after.isDirectory()) {
            directory(path);
        }
    }

    private List<Chunk> newChunks(RepositoryPath path, DirectoryEntry entry) {
        return entry.chunked() ? newTree.chunks(path) : List.of();
    }

    private NestedCatalogRef newNested(RepositoryPath path, DirectoryEntry entry) {
        return entry.nestedMountpoint() ? newTree.nestedCatalog(path).orElse(null) : null;
    }

    private static Optional<String> nestedHash(CatalogHierarchy tree, RepositoryPath path) {
        return tree.nestedCatalog(path).map(r -> r.hash().toText());
    }
}
