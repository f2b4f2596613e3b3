package org.cvmfs.suite.server.publish;

import java.util.Collections;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;

/**
 * Every entry of one working tree by repository path, the root included. Iteration order puts
 * every directory before everything below it. A tree may be empty: the state of a leased
 * subtree that does not exist yet.
 */
public final class ScannedTree {
    private final RepositoryPath root;
    private final NavigableMap<RepositoryPath, ScannedEntry> entries;

    public ScannedTree(RepositoryPath root, NavigableMap<RepositoryPath, ScannedEntry> entries) {
        this.root = Objects.requireNonNull(root, "root");
        ScannedEntry top = entries.get(root);
        if (!entries.isEmpty() && (top == null || !top.isDirectory())) {
            throw new IllegalArgumentException("tree at " + root + " has no root directory entry");
        }
        for (RepositoryPath p : entries.keySet()) {
            if (!p.isSameOrUnder(root)) {
                throw new IllegalArgumentException("entry " + p + " lies outside the tree at " + root);
            }
            if (!p.equals(root) && !entries.containsKey(p.parent())) {
                throw new IllegalArgumentException("entry " + p + " has no parent directory in the tree");
            }
        }
        this.entries = Collections.unmodifiableNavigableMap(new TreeMap<>(entries));
    }

    public static ScannedTree empty(RepositoryPath root) {
        return new ScannedTree(root, new TreeMap<>());
    }

    public RepositoryPath root() {
        return root;
    }

    public NavigableMap<RepositoryPath, ScannedEntry> entries() {
        return entries;
    }

    public Optional<ScannedEntry> get(RepositoryPath path) {
        return Optional.ofNullable(entries.get(path));
    }

    public int size() {
        return entries.size();
    }

    /** Directories holding a {@code .cvmfscatalog} marker: the nested catalog mountpoints. */
    public List<RepositoryPath> catalogMountpoints() {
        return entries.keySet().stream()
                .filter(p -> !p.isRoot() && p.name().equals(TreeScanner.CATALOG_MARKER))
                .map(RepositoryPath::parent)
                .toList();
    }
}
