package org.cvmfs.suite.protocol.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * The catalog hierarchy below one root catalog as far as an edit session has reached into it:
 * catalogs are fetched from the repository only when a path resolves into them and staged as
 * SQLite files in one private directory, which {@link #close} removes. It knows which catalog
 * holds the rows of a path and which catalogs changed; what an edit means is
 * {@link WritableCatalogManager}'s business, writing the changed catalogs {@link CatalogCommitter}'s.
 */
final class CatalogTree implements AutoCloseable {
    private final RepositorySource source;
    /** Catalogs already inflated beside this session, copied instead of fetched again; may be null. */
    private final CatalogHierarchy staged;
    private final Path stagingDir;
    private final Node root;
    private boolean closed;

    /** One catalog of the hierarchy that has been fetched (or created) in this session. */
    static final class Node {
        final RepositoryPath mountpoint;
        /** The hash it was fetched under; null for a catalog created in this session. */
        final ContentHash loadedHash;
        final WritableCatalog catalog;
        /** Direct nested catalogs by mountpoint, loaded or not. */
        final Map<RepositoryPath, Child> children = new TreeMap<>();
        Node parent;
        /** What the parent's subtree counters hold for this catalog. */
        CatalogCounters attached;
        boolean dirty;

        Node(RepositoryPath mountpoint, ContentHash loadedHash, WritableCatalog catalog, Node parent) {
            this.mountpoint = mountpoint;
            this.loadedHash = loadedHash;
            this.catalog = catalog;
            this.parent = parent;
            this.attached = catalog.counters().asSubtree();
        }

        /** Marks this catalog and its ancestors as changed: they are rewritten at commit. */
        void markDirty() {
            for (Node n = this; n != null && !n.dirty; n = n.parent) {
                n.dirty = true;
            }
        }
    }

    /** A row of a catalog's {@code nested_catalogs}; {@code hash} is null until a new child is committed. */
    static final class Child {
        ContentHash hash;
        long size;
        Node node;

        Child(ContentHash hash, long size, Node node) {
            this.hash = hash;
            this.size = size;
            this.node = node;
        }
    }

    /**
     * Opens the hierarchy of {@code rootHash} (suffix C), staging into a new directory under
     * {@code tempDir}; a catalog that {@code staged} (may be null) has open already is copied
     * from its file rather than fetched, verified and inflated again.
     */
    CatalogTree(RepositorySource source, ContentHash rootHash, Path tempDir, CatalogHierarchy staged) {
        this.source = source;
        this.staged = staged;
        this.stagingDir = DirectoryTree.createScratch(tempDir, "catalog-edit.");
        try {
            this.root = load(RepositoryPath.ROOT, rootHash, null);
        } catch (RuntimeException e) {
            DirectoryTree.delete(stagingDir);
            throw e;
        }
    }

    Node root() {
        return root;
    }

    RepositorySource source() {
        return source;
    }

    Path stagingDir() {
        return stagingDir;
    }

    /** The loaded catalog holding the rows below {@code path} (its root row if {@code path} is a mountpoint). */
    Node resolve(RepositoryPath path) {
        Node node = root;
        int depth = 0;
        int target = path.depth();
        while (depth < target) {
            depth++;
            RepositoryPath prefix = path.ancestor(depth);
            if (node.children.containsKey(prefix)) {
                node = childNode(node, prefix);
            }
        }
        return node;
    }

    /** The direct nested catalog of {@code node} at {@code mountpoint}, fetched on first use. */
    Node childNode(Node node, RepositoryPath mountpoint) {
        Child c = node.children.get(mountpoint);
        if (c.node == null) {
            c.node = load(mountpoint, c.hash, node);
        }
        return c.node;
    }

    CatalogCounters attachedOf(Node node, RepositoryPath mountpoint) {
        return childNode(node, mountpoint).attached;
    }

    /** A new, empty catalog file in the staging directory. */
    Path newStagingFile() {
        return SqliteFile.newStagingPath(stagingDir, "catalog");
    }

    private Node load(RepositoryPath mountpoint, ContentHash hash, Node parent) {
        String label = CatalogObjects.label(mountpoint, hash);
        Path file = newStagingFile();
        Optional<Path> copy = staged == null ? Optional.empty() : staged.stagedFile(hash);
        try {
            if (copy.isPresent()) {
                Files.copy(copy.get(), file);
            } else {
                CatalogObjects.stage(source, hash, file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stage " + label, e);
        }
        WritableCatalog catalog = WritableCatalog.open(file, label);
        try {
            if (!catalog.rootPrefix().equals(mountpoint)) {
                throw new CatalogException(label + " has root_prefix '" + catalog.rootPrefix() + "', expected '"
                        + mountpoint + "'");
            }
            Node node = new Node(mountpoint, hash, catalog, parent);
            for (NestedCatalogRef r : catalog.reader().nestedCatalogs()) {
                if (!r.path().isStrictlyUnder(mountpoint)) {
                    throw new CatalogException(label + " lists nested catalog " + r.path() + " outside itself");
                }
                node.children.put(r.path(), new Child(r.hash(), r.size(), null));
            }
            return node;
        } catch (RuntimeException e) {
            catalog.close();
            throw e;
        }
    }

    /** Closes and deletes the staged file of {@code node} and of every loaded catalog below it. */
    void discard(Node node) {
        for (Child c : node.children.values()) {
            if (c.node != null) {
                discard(c.node);
            }
        }
        node.catalog.close();
        SqliteFile.delete(node.catalog.file());
    }

    /** Drops every staged catalog and the staging directory; idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            discard(root);
        } finally {
            DirectoryTree.delete(stagingDir);
        }
    }
}
