package org.cvmfs.suite.protocol.catalog;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * Writes the changed catalogs of a {@link CatalogTree} into an object store, children before
 * parents, so that each parent records its children's final hash and uncompressed size. Each
 * catalog is stored whole (content-addressed objects are immutable: a half-written catalog is
 * never visible under its name), and the root is always rewritten.
 */
final class CatalogCommitter {
    private final ObjectStore store;
    private final HashAlgorithm algorithm;
    private final long now;
    private final List<ContentHash> written = new ArrayList<>();

    private CatalogCommitter(ObjectStore store, HashAlgorithm algorithm, long now) {
        this.store = store;
        this.algorithm = algorithm;
        this.now = now;
    }

    /**
     * Finalises every changed catalog and its ancestors (the root always) bottom-up: subtree
     * statistics updated, revision + 1, {@code last_modified} = {@code now},
     * {@code previous_revision} = the hash the catalog had before (40 zeros for new ones).
     */
    static CatalogCommit commit(CatalogTree tree, ObjectStore store, HashAlgorithm algorithm, long now) {
        CatalogTree.Node root = tree.root();
        root.dirty = true;
        long revision = root.catalog.reader().revision() + 1;
        long ttl = root.catalog.reader().ttl().orElse(CatalogCommit.DEFAULT_TTL);
        CatalogCommitter committer = new CatalogCommitter(store, algorithm, now);
        Finalised result = committer.finalise(root);
        return new CatalogCommit(result.hash, result.size, revision, ttl, now, committer.written);
    }

    private record Finalised(ContentHash hash, long size, CatalogCounters totals) {
    }

    private Finalised finalise(CatalogTree.Node node) {
        for (Map.Entry<RepositoryPath, CatalogTree.Child> e : node.children.entrySet()) {
            CatalogTree.Child c = e.getValue();
            if (c.node != null && c.node.dirty) {
                Finalised f = finalise(c.node);
                node.catalog.setNestedRef(e.getKey(), f.hash, f.size);
                node.catalog.addToSubtree(f.totals.minus(c.node.attached));
                c.hash = f.hash;
                c.size = f.size;
            }
        }
        Path file = node.catalog.finishRevision(node.loadedHash, now);
        CatalogCounters totals = node.catalog.counters().asSubtree();
        ContentHash hash = CatalogObjects.store(store, algorithm, file);
        written.add(hash);
        return new Finalised(hash, CatalogObjects.size(file), totals);
    }
}
