package org.cvmfs.suite.protocol.catalog;

import java.util.List;
import org.cvmfs.suite.protocol.catalog.CatalogTree.Child;
import org.cvmfs.suite.protocol.catalog.CatalogTree.Node;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * The structural edits of a {@link CatalogTree}: creating a nested catalog at a directory,
 * merging one back into its parent, pointing a mountpoint at another stored catalog, and
 * forgetting one with its subtree. Rows move between catalogs with their full-path keys, the
 * mountpoint row exists on both sides of the boundary (flags 3 in the parent, 33 in the child),
 * and every parent's subtree counters follow what is attached to it. The checks a caller's edit
 * needs first (the path exists, the manager is usable) are {@link WritableCatalogManager}'s.
 */
final class NestedCatalogs {
    private final CatalogTree tree;
    private final HashAlgorithm markerAlgorithm;

    NestedCatalogs(CatalogTree tree, HashAlgorithm markerAlgorithm) {
        this.tree = tree;
        this.markerAlgorithm = markerAlgorithm;
    }

    /**
     * See {@link WritableCatalogManager#createNestedCatalog}; true if it added a marker file,
     * whose (empty) object the commit must store.
     */
    boolean create(RepositoryPath path) {
        if (path.isRoot()) {
            throw new CatalogException("the repository root is the root catalog already");
        }
        Node node = tree.resolve(path);
        if (node.mountpoint.equals(path)) {
            throw new CatalogException(path + " is a nested catalog already");
        }
        DirectoryEntry dir = node.catalog.lookup(path).orElseThrow(
                () -> new CatalogException("cannot create nested catalog " + path + ": no such directory"));
        if (!dir.isDirectory()) {
            throw new CatalogException("cannot create nested catalog " + path + ": it is a " + dir.kind());
        }
        boolean markerAdded = false;
        WritableCatalog created = WritableCatalog.create(tree.newStagingFile(), path, dir.withoutTransition(),
                node.catalog.reader().lastModified());
        Node child = new Node(path, null, created, node);
        moveBelow(node, child, path);
        RepositoryPath marker = path.child(WritableCatalogManager.MARKER);
        if (created.lookup(marker).isEmpty()) {
            DirectoryEntry markerEntry = DirectoryEntry.regularFile(WritableCatalogManager.MARKER, 0644, 0, emptyObject())
                    .mtime(dir.mtime()).uid(dir.uid()).gid(dir.gid()).build();
            created.insert(marker, markerEntry, List.of());
            markerAdded = true;
        }
        node.catalog.update(path, dir.withoutTransition().toBuilder().nestedMountpoint(true).build(), List.of());
        node.catalog.setNestedRef(path, null, 0);
        child.attached = created.counters().asSubtree();
        node.catalog.addToSubtree(child.attached);
        node.children.put(path, new Child(null, 0, child));
        child.markDirty();
        return markerAdded;
    }

    /** See {@link WritableCatalogManager#removeNestedCatalog}. */
    void remove(RepositoryPath path) {
        Node child = tree.resolve(path);
        if (path.isRoot() || !child.mountpoint.equals(path)) {
            throw new CatalogException(path + " is not a nested catalog mountpoint");
        }
        Node parent = child.parent;
        DirectoryEntry rootEntry = child.catalog.lookup(path).orElseThrow(
                () -> new CatalogException(CatalogObjects.label(path, child.loadedHash) + " has no root entry"));
        RepositoryPath marker = path.child(WritableCatalogManager.MARKER);
        if (child.catalog.lookup(marker).isPresent()) {
            child.catalog.remove(marker);
        }
        moveBelow(child, parent, path);
        parent.catalog.removeNestedRef(path);
        parent.catalog.addToSubtree(CatalogCounters.ZERO.minus(child.attached));
        parent.children.remove(path);
        parent.catalog.update(path, rootEntry.withoutTransition(), List.of());
        tree.discard(child);
        parent.markDirty();
    }

    /** See {@link WritableCatalogManager#swapNestedCatalog}. */
    void swap(RepositoryPath path, ContentHash hash, long size) {
        ContentHash newHash = hash.withSuffix(ObjectSuffix.CATALOG);
        if (path.isRoot()) {
            throw new CatalogException("the root catalog cannot be swapped as a nested catalog");
        }
        Node node = tree.resolve(path.parent());
        Child c = node.children.get(path);
        if (c == null) {
            throw new CatalogException(path + " is not a nested catalog mountpoint");
        }
        if (c.node != null && c.node.dirty) {
            throw new CatalogException("nested catalog " + path + " was edited in this session and cannot be swapped");
        }
        CatalogCounters oldAttached = tree.attachedOf(node, path);
        DirectoryEntry newRoot;
        CatalogCounters newTotals;
        try (Catalog incoming = Catalog.fetch(tree.source(), newHash, tree.stagingDir(),
                CatalogObjects.label(path, newHash))) {
            if (!incoming.rootPrefix().equals(path)) {
                throw new CatalogException(incoming.label() + " has root_prefix '" + incoming.rootPrefix()
                        + "', not " + path);
            }
            newRoot = incoming.lookup(path).orElseThrow(
                    () -> new CatalogException(incoming.label() + " has no root entry"));
            newTotals = incoming.counters().asSubtree();
        }
        if (!newRoot.isDirectory()) {
            throw new CatalogException(CatalogObjects.label(path, newHash) + ": root entry is a " + newRoot.kind());
        }
        node.catalog.setNestedRef(path, newHash, size);
        node.catalog.addToSubtree(newTotals.minus(oldAttached));
        node.catalog.update(path, newRoot.withoutTransition().toBuilder().nestedMountpoint(true).build(), List.of());
        if (c.node != null) {
            tree.discard(c.node);
        }
        node.children.put(path, new Child(newHash, size, null));
        node.markDirty();
    }

    /**
     * Moves every row below {@code dir} (not {@code dir} itself) from one catalog to another,
     * with chunk rows and nested catalog registrations; rows keep their full-path keys.
     */
    private void moveBelow(Node from, Node to, RepositoryPath dir) {
        for (DirectoryEntry e : from.catalog.reader().listing(dir)) {
            RepositoryPath p = dir.child(e.name());
            List<Chunk> chunks = from.catalog.reader().chunks(p);
            to.catalog.insert(p, e, chunks);
            Child nested = from.children.get(p);
            if (nested != null) {
                CatalogCounters attached = tree.attachedOf(from, p);
                from.catalog.removeNestedRef(p);
                from.catalog.addToSubtree(CatalogCounters.ZERO.minus(attached));
                from.children.remove(p);
                to.catalog.setNestedRef(p, nested.hash, nested.size);
                to.catalog.addToSubtree(attached);
                to.children.put(p, nested);
                if (nested.node != null) {
                    nested.node.parent = to;
                }
            } else if (e.isDirectory()) {
                moveBelow(from, to, p);
            }
            from.catalog.remove(p);
        }
    }

    /** Unregisters a direct nested catalog and forgets it and everything below it. */
    void detachChild(Node node, RepositoryPath mountpoint) {
        Child c = node.children.get(mountpoint);
        CatalogCounters attached = tree.attachedOf(node, mountpoint);
        node.catalog.removeNestedRef(mountpoint);
        node.catalog.addToSubtree(CatalogCounters.ZERO.minus(attached));
        node.children.remove(mountpoint);
        if (c.node != null) {
            tree.discard(c.node);
        }
    }

    private ContentHash emptyObject() {
        return ContentHash.compute(markerAlgorithm, Zlib.compress(new byte[0]), ObjectSuffix.NONE);
    }
}
