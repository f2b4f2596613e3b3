package org.cvmfs.suite.protocol.catalog;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.CatalogTree.Node;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * The editable namespace of a repository. Edits name full repository paths; the manager finds
 * the catalog that holds each row (through a {@link CatalogTree}, which fetches nested catalogs
 * only when an edit or lookup reaches them), keeps directory linkcounts (2 + subdirectories)
 * and the rows on both sides of a catalog boundary identical, and keeps every catalog's
 * statistics exact. As in an upstream publication, a {@value #MARKER} file is what makes a
 * directory a nested catalog root: adding one creates the nested catalog, removing it merges
 * the catalog back. {@link #commit} hands the changed catalogs to {@link CatalogCommitter}.
 *
 * <p>Not thread-safe. After {@link #commit} or {@link #close} the manager is spent.
 */
public final class WritableCatalogManager implements AutoCloseable {
    /** Name of the marker file that sits in the root directory of every nested catalog. */
    public static final String MARKER = ".cvmfscatalog";

    private final CatalogTree tree;
    private final HashAlgorithm markerAlgorithm;
    private final NestedCatalogs nested;
    private boolean emptyObjectNeeded;
    private boolean spent;
    /**
     * The directory last found to be the parent of an added entry, with its path hash and the
     * catalog holding its children: a publication adds entries directory by directory, so the
     * next one mostly needs no lookup of its parent. Forgotten by every edit that could remove a
     * directory or move rows between catalogs.
     */
    private KnownParent knownParent;

    private record KnownParent(RepositoryPath path, PathHash key, Node node) {
    }

    private WritableCatalogManager(CatalogTree tree, HashAlgorithm markerAlgorithm) {
        this.tree = tree;
        this.markerAlgorithm = markerAlgorithm;
        this.nested = new NestedCatalogs(tree, markerAlgorithm);
    }

    /**
     * Opens the hierarchy of root catalog {@code rootHash} from {@code source}, staging catalog
     * files in a new directory under {@code tempDir}.
     */
    public static WritableCatalogManager open(RepositorySource source, ContentHash rootHash, Path tempDir) {
        return openBeside(null, source, rootHash, tempDir);
    }

    /**
     * {@link #open}, copying the catalogs that {@code staged} has open already (a gateway's merge
     * edits the head, which is mostly the catalog the publisher started from) instead of
     * fetching, verifying and inflating them again; {@code staged} may be null.
     */
    public static WritableCatalogManager openBeside(CatalogHierarchy staged, RepositorySource source,
                                                    ContentHash rootHash, Path tempDir) {
        return new WritableCatalogManager(new CatalogTree(source, rootHash.withSuffix(ObjectSuffix.CATALOG), tempDir,
                staged), rootHash.algorithm());
    }

    // ---- reading ----

    /** The entry at {@code path}; for a nested mountpoint, the nested catalog's root entry. */
    public Optional<DirectoryEntry> lookup(RepositoryPath path) {
        requireUsable();
        return tree.resolve(path).catalog.lookup(path);
    }

    /**
     * Whether there is an entry at {@code path}, asked of its parent directory's catalog (which
     * has the row of a nested catalog's mountpoint too), so that a catalog mounted there is not
     * loaded for the answer.
     */
    public boolean holds(RepositoryPath path) {
        requireUsable();
        return path.isRoot() || tree.resolve(path.parent()).catalog.lookup(path).isPresent();
    }

    /** Children of {@code directory}, sorted by name. */
    public List<DirectoryEntry> listing(RepositoryPath directory) {
        requireUsable();
        return tree.resolve(directory).catalog.reader().listing(directory);
    }

    public List<Chunk> chunks(RepositoryPath path) {
        requireUsable();
        return tree.resolve(path).catalog.reader().chunks(path);
    }

    /** True if a nested catalog is mounted at {@code path}. */
    public boolean isNestedCatalogMountpoint(RepositoryPath path) {
        requireUsable();
        return !path.isRoot() && tree.resolve(path.parent()).children.containsKey(path);
    }

    // ---- adding ----

    /**
     * Adds a directory. Its linkcount starts at 2 and its parent's grows by one; catalog
     * transition flags in {@code entry} are ignored (see {@link #createNestedCatalog}).
     */
    public void addDirectory(RepositoryPath path, DirectoryEntry entry) {
        requireUsable();
        requireKind(path, entry, true);
        DirectoryEntry row = entry.toBuilder().linkcount(2).nestedMountpoint(false).nestedRoot(false)
                .bindMountpoint(false).build();
        Node node = insertNew(path, row, List.of());
        adjustLinkcount(path.parent(), +1);
        node.markDirty();
    }

    /**
     * Adds a regular file (with its chunk list if chunked), symlink or special file. A
     * {@value #MARKER} file makes its directory the root of a new nested catalog, as it does
     * when upstream publishes.
     */
    public void addFile(RepositoryPath path, DirectoryEntry entry, List<Chunk> chunks) {
        requireUsable();
        requireKind(path, entry, false);
        Node node = insertNew(path, entry, chunks);
        node.markDirty();
        RepositoryPath parent = path.parent();
        if (path.name().equals(MARKER) && !parent.isRoot() && !node.mountpoint.equals(parent)) {
            createNestedCatalog(parent);
        }
    }

    /** Adds a symlink; its size must be the byte length of the target. */
    public void addSymlink(RepositoryPath path, DirectoryEntry entry) {
        if (!entry.isSymlink()) {
            throw new CatalogException(path + ": addSymlink needs a symlink, got a " + entry.kind());
        }
        addFile(path, entry, List.of());
    }

    /**
     * Puts a non-directory at an existing path: a file is rewritten in place, a directory (with
     * everything below it, nested catalogs included) is removed first.
     */
    public void replaceFile(RepositoryPath path, DirectoryEntry entry, List<Chunk> chunks) {
        requireUsable();
        requireKind(path, entry, false);
        DirectoryEntry old = existing(path);
        if (old.isDirectory()) {
            remove(path);
            addFile(path, entry, chunks);
            return;
        }
        Node node = tree.resolve(path);
        node.catalog.update(path, entry, chunks);
        node.markDirty();
    }

    /** Inserts the row of a new entry into the catalog holding its parent's children; returns that catalog's node. */
    private Node insertNew(RepositoryPath path, DirectoryEntry entry, List<Chunk> chunks) {
        KnownParent parent = parentOfNew(path);
        PathHash key = path.pathHash();
        if (parent.node.catalog.contains(key)) {
            throw new CatalogException(path + " exists already");
        }
        parent.node.catalog.insertAbsent(path, key, parent.key, entry, chunks);
        return parent.node;
    }

    private KnownParent parentOfNew(RepositoryPath path) {
        if (path.isRoot()) {
            throw new CatalogException("the repository root exists already");
        }
        RepositoryPath parentPath = path.parent();
        if (knownParent != null && knownParent.path.equals(parentPath)) {
            return knownParent;
        }
        Node node = tree.resolve(parentPath);
        DirectoryEntry parent = node.catalog.lookup(parentPath).orElseThrow(
                () -> new CatalogException(path + ": parent directory " + display(parentPath) + " does not exist"));
        if (!parent.isDirectory()) {
            throw new CatalogException(path + ": parent " + display(parentPath) + " is a " + parent.kind()
                    + ", not a directory");
        }
        knownParent = new KnownParent(parentPath, parentPath.pathHash(), node);
        return knownParent;
    }

    private static void requireKind(RepositoryPath path, DirectoryEntry entry, boolean directory) {
        if (entry.isDirectory() != directory) {
            throw new CatalogException(path + ": expected " + (directory ? "a directory" : "a non-directory")
                    + ", got a " + entry.kind());
        }
    }

    // ---- changing ----

    /**
     * Takes mode (same file type), mtime, uid, gid, xattrs and hidden flag from {@code attributes},
     * and for directories also their size; content, linkcount and catalog structure stay.
     */
    public void setAttributes(RepositoryPath path, DirectoryEntry attributes) {
        requireUsable();
        DirectoryEntry old = existing(path);
        if (old.kind() != attributes.kind()) {
            throw new CatalogException(path + ": cannot turn a " + old.kind() + " into a " + attributes.kind()
                    + " by changing attributes");
        }
        DirectoryEntry.Builder b = old.toBuilder().mode(attributes.mode()).mtime(attributes.mtime())
                .mtimeNs(attributes.mtimeNs()).uid(attributes.uid()).gid(attributes.gid())
                .xattrs(attributes.xattrs()).hidden(attributes.hidden());
        if (old.isDirectory()) {
            b.size(attributes.size());
        }
        writeEntry(path, b.build());
    }

    // ---- removing ----

    /**
     * Removes an entry; a directory goes with everything below it, including nested catalogs.
     * Removing the {@value #MARKER} of a nested catalog merges that catalog into its parent,
     * as it does when upstream publishes.
     */
    public void remove(RepositoryPath path) {
        requireUsable();
        knownParent = null;
        if (path.isRoot()) {
            throw new CatalogException("the repository root cannot be removed");
        }
        RepositoryPath parentPath = path.parent();
        Node node = tree.resolve(parentPath);
        DirectoryEntry entry = node.catalog.lookup(path).orElseThrow(
                () -> new CatalogException(path + " does not exist"));
        if (path.name().equals(MARKER) && node.mountpoint.equals(parentPath) && !parentPath.isRoot()) {
            removeNestedCatalog(parentPath);
            return;
        }
        removeSubtree(node, path, entry);
        if (entry.isDirectory()) {
            adjustLinkcount(parentPath, -1);
        }
        node.markDirty();
    }

    private void removeSubtree(Node node, RepositoryPath path, DirectoryEntry entry) {
        if (node.children.containsKey(path)) {
            nested.detachChild(node, path);
        } else if (entry.isDirectory()) {
            for (DirectoryEntry child : node.catalog.reader().listing(path)) {
                removeSubtree(node, path.child(child.name()), child);
            }
        }
        node.catalog.remove(path);
    }

    // ---- nested catalogs ----

    /**
     * Turns the existing directory {@code path} into the root of a new nested catalog: every
     * row below it (and the nested catalogs below it) moves into the new catalog, the parent
     * keeps the directory as mountpoint (flags 3), the child gets it as root (flags 33). An empty
     * {@value #MARKER} file is added to the new catalog's root unless one is there already.
     */
    public void createNestedCatalog(RepositoryPath path) {
        requireUsable();
        knownParent = null;
        if (nested.create(path)) {
            emptyObjectNeeded = true;
        }
    }

    /**
     * Merges the nested catalog mounted at {@code path} back into its parent: its rows and its
     * own nested catalogs move up, its {@value #MARKER} is dropped, the directory stays.
     */
    public void removeNestedCatalog(RepositoryPath path) {
        requireUsable();
        knownParent = null;
        nested.remove(path);
    }

    /**
     * Points the mountpoint {@code path} at another, already stored catalog (the receiver's
     * shortcut for a nested catalog the publisher rewrote). The replaced catalog must not have
     * been edited in this session. The parent's mountpoint row takes the new root entry.
     */
    public void swapNestedCatalog(RepositoryPath path, ContentHash hash, long size) {
        requireUsable();
        knownParent = null;
        nested.swap(path, hash, size);
    }

    // ---- properties ----

    /** Sets the root catalog's TTL, which the manifest copies into {@code D}. */
    public void setTtl(long seconds) {
        requireUsable();
        tree.root().catalog.setTtl(seconds);
        tree.root().markDirty();
    }

    // ---- commit ----

    /**
     * Writes every changed catalog and its ancestors (the root always) into {@code store},
     * children first (see {@link CatalogCommitter}), and drops the staged files.
     */
    public CatalogCommit commit(ObjectStore store, HashAlgorithm algorithm, Clock clock) {
        requireUsable();
        spent = true;
        try {
            if (emptyObjectNeeded) {
                store.putCompressed(new byte[0], markerAlgorithm, ObjectSuffix.NONE);
            }
            return CatalogCommitter.commit(tree, store, algorithm, clock.instant().getEpochSecond());
        } finally {
            tree.close();
        }
    }

    // ---- plumbing ----

    private DirectoryEntry existing(RepositoryPath path) {
        return tree.resolve(path).catalog.lookup(path).orElseThrow(() -> new CatalogException(display(path) + " does not exist"));
    }

    /** Rewrites the row of {@code path}, on both sides if it is a catalog boundary. */
    private void writeEntry(RepositoryPath path, DirectoryEntry entry) {
        Node node = tree.resolve(path);
        DirectoryEntry plain = entry.withoutTransition();
        List<Chunk> chunks = entry.chunked() ? node.catalog.reader().chunks(path) : List.of();
        if (node.mountpoint.equals(path) && !path.isRoot()) {
            node.catalog.update(path, plain.toBuilder().nestedRoot(true).build(), chunks);
            node.parent.catalog.update(path, plain.toBuilder().nestedMountpoint(true).build(), chunks);
        } else {
            node.catalog.update(path, entry, chunks);
        }
        node.markDirty();
    }

    private void adjustLinkcount(RepositoryPath directory, int delta) {
        DirectoryEntry dir = existing(directory);
        writeEntry(directory, dir.toBuilder().linkcount(dir.linkcount() + delta).build());
    }

    private static String display(RepositoryPath p) {
        return p.isRoot() ? "the root directory" : p.toString();
    }

    private void requireUsable() {
        if (spent) {
            throw new IllegalStateException("catalog manager already committed or closed");
        }
    }

    /** Drops all staged catalogs and uncommitted edits. */
    @Override
    public void close() {
        spent = true;
        tree.close();
    }
}
