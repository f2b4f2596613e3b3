package org.cvmfs.suite.protocol.catalog;

import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * Read-only view of a repository's whole namespace, rooted at one root catalog: nested
 * catalogs are fetched on first use, as the client mounts them (spec 7). Paths resolve to the
 * deepest catalog whose mountpoint is the path or one of its ancestors, so a mountpoint itself
 * answers with the nested catalog's root entry. Not thread-safe; close it to drop the staged files.
 */
public final class CatalogHierarchy implements AutoCloseable {
    private final RepositorySource source;
    private final Path stagingDir;
    private final Node root;

    private final class Node {
        final RepositoryPath mountpoint;
        final ContentHash hash;
        final Catalog catalog;
        final Map<RepositoryPath, NestedCatalogRef> refs = new HashMap<>();
        final Map<RepositoryPath, Node> children = new HashMap<>();

        Node(RepositoryPath mountpoint, ContentHash hash) {
            this.mountpoint = mountpoint;
            this.hash = hash;
            this.catalog = Catalog.fetch(source, hash, stagingDir, CatalogObjects.label(mountpoint, hash));
            for (NestedCatalogRef r : catalog.nestedCatalogs()) {
                refs.put(r.path(), r);
            }
        }

        Node child(RepositoryPath path) {
            return children.computeIfAbsent(path, p -> new Node(p, refs.get(p).hash()));
        }
    }

    private CatalogHierarchy(RepositorySource source, Path stagingDir, ContentHash rootHash) {
        this.source = source;
        this.stagingDir = stagingDir;
        this.root = new Node(RepositoryPath.ROOT, rootHash);
    }

    /** Opens the hierarchy of root catalog {@code rootHash}, staging catalog files under {@code tempDir}. */
    public static CatalogHierarchy open(RepositorySource source, ContentHash rootHash, Path tempDir) {
        Path dir = DirectoryTree.createScratch(tempDir, "catalogs.");
        try {
            return new CatalogHierarchy(source, dir, rootHash);
        } catch (RuntimeException e) {
            DirectoryTree.delete(dir);
            throw e;
        }
    }

    public Catalog rootCatalog() {
        return root.catalog;
    }

    /** The catalog holding the entries below {@code path} (and {@code path}'s own root row if it is a mountpoint). */
    public Catalog catalogFor(RepositoryPath path) {
        return nodeFor(path).catalog;
    }

    /** Where {@link #catalogFor}'s catalog is mounted: the root, or the nested catalog's mountpoint. */
    public RepositoryPath mountpointFor(RepositoryPath path) {
        return nodeFor(path).mountpoint;
    }

    /** The content hash of {@link #catalogFor}'s catalog: the innermost catalog holding {@code path}'s subtree. */
    public ContentHash catalogHashFor(RepositoryPath path) {
        return nodeFor(path).hash;
    }

    public Optional<DirectoryEntry> lookup(RepositoryPath path) {
        return nodeFor(path).catalog.lookup(path);
    }

    /** Children of {@code directory}, sorted by name; empty if it is not a directory here. */
    public List<DirectoryEntry> listing(RepositoryPath directory) {
        return nodeFor(directory).catalog.listing(directory);
    }

    public List<Chunk> chunks(RepositoryPath path) {
        return nodeFor(path).catalog.chunks(path);
    }

    /** The reference to the nested catalog mounted exactly at {@code mountpoint}, if any. */
    public Optional<NestedCatalogRef> nestedCatalog(RepositoryPath mountpoint) {
        if (mountpoint.isRoot()) {
            return Optional.empty();
        }
        return Optional.ofNullable(nodeFor(mountpoint.parent()).refs.get(mountpoint));
    }

    private Node nodeFor(RepositoryPath path) {
        Node node = root;
        int depth = node.mountpoint.depth();
        int target = path.depth();
        while (depth < target) {
            depth++;
            RepositoryPath prefix = path.ancestor(depth);
            if (node.refs.containsKey(prefix)) {
                node = node.child(prefix);
            }
        }
        return node;
    }

    /** The file of a catalog this hierarchy has open under {@code hash} (any suffix), if any. */
    Optional<Path> stagedFile(ContentHash hash) {
        ContentHash wanted = hash.withSuffix(ObjectSuffix.CATALOG);
        Deque<Node> pending = new ArrayDeque<>(List.of(root));
        while (!pending.isEmpty()) {
            Node n = pending.pop();
            if (n.hash.withSuffix(ObjectSuffix.CATALOG).equals(wanted)) {
                return Optional.of(n.catalog.database().path());
            }
            pending.addAll(n.children.values());
        }
        return Optional.empty();
    }

    @Override
    public void close() {
        closeNode(root);
        DirectoryTree.delete(stagingDir);
    }

    private void closeNode(Node n) {
        n.children.values().forEach(this::closeNode);
        n.catalog.close();
    }
}
