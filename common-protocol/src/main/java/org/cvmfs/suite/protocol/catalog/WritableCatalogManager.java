package org.cvmfs.suite.protocol.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * The editable namespace of a repository: the catalog hierarchy below one root catalog, with
 * nested catalogs fetched only when an edit or lookup reaches them and staged as SQLite files in
 * a private directory. Edits name full repository paths; the manager finds the catalog that
 * holds each row, keeps directory linkcounts (2 + subdirectories) and the rows on both sides
 * of a catalog boundary identical, and keeps every catalog's statistics exact. As in an
 * upstream publication, a {@value #MARKER} file is what makes a directory a nested catalog root:
 * adding one creates the nested catalog, removing it merges the catalog back.
 * {@link #commit} writes only the catalogs that changed plus their ancestors, children first.
 *
 * <p>Not thread-safe. After {@link #commit} or {@link #close} the manager is spent.
 */
public final class WritableCatalogManager implements AutoCloseable {
    /** Name of the marker file that sits in the root directory of every nested catalog. */
    public static final String MARKER = ".cvmfscatalog";

    private final RepositorySource source;
    private final Path stagingDir;
    private final HashAlgorithm markerAlgorithm;
    private final Node root;
    private boolean emptyObjectNeeded;
    private boolean spent;
    private boolean cleaned;

    /** One catalog of the hierarchy that has been fetched (or created) in this session. */
    private final class Node {
        final RepositoryPath mountpoint;
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
    }

    /** A row of a catalog's {@code nested_catalogs}; {@code hash} is null until a new child is committed. */
    private static final class Child {
        ContentHash hash;
        long size;
        Node node;

        Child(ContentHash hash, long size, Node node) {
            this.hash = hash;
            this.size = size;
            this.node = node;
        }
    }

    private WritableCatalogManager(RepositorySource source, Path stagingDir, ContentHash rootHash) {
        this.source = source;
        this.stagingDir = stagingDir;
        this.markerAlgorithm = rootHash.algorithm();
        this.root = load(RepositoryPath.ROOT, rootHash, null);
    }

    /**
     * Opens the hierarchy of root catalog {@code rootHash} from {@code source}, staging catalog
     * files in a new directory under {@code tempDir}.
     */
    public static WritableCatalogManager open(RepositorySource source, ContentHash rootHash, Path tempDir) {
        Path dir = DirectoryTree.createScratch(tempDir, "catalog-edit.");
        try {
            return new WritableCatalogManager(source, dir, rootHash.withSuffix(ObjectSuffix.CATALOG));
        } catch (RuntimeException e) {
            DirectoryTree.delete(dir);
            throw e;
        }
    }

    /**
     * Creates and stores the empty root catalog of a new repository (spec 6.11, revision 0);
     * the result names it for the first manifest.
     */
    public static CatalogCommit createRepository(ObjectStore store, HashAlgorithm algorithm, Clock clock,
            long uid, long gid, Path tempDir) {
        Path file = SqliteFile.newStagingPath(tempDir, "catalog");
        try (WritableCatalog root = WritableCatalog.createEmptyRoot(file, clock.instant().getEpochSecond(), uid, gid)) {
            byte[] bytes = root.finish();
            ContentHash hash = store.putStored(Zlib.compress(bytes), algorithm, ObjectSuffix.CATALOG);
            return new CatalogCommit(hash, bytes.length, 0, CatalogCommit.DEFAULT_TTL, List.of(hash));
        } finally {
            SqliteFile.delete(file);
        }
    }

    // ---- reading ----

    /** The entry at {@code path}; for a nested mountpoint, the nested catalog's root entry. */
    public Optional<DirectoryEntry> lookup(RepositoryPath path) {
        requireUsable();
        return resolve(path).catalog.lookup(path);
    }

    /** Children of {@code directory}, sorted by name. */
    public List<DirectoryEntry> listing(RepositoryPath directory) {
        requireUsable();
        return resolve(directory).catalog.reader().listing(directory);
    }

    public List<Chunk> chunks(RepositoryPath path) {
        requireUsable();
        return resolve(path).catalog.reader().chunks(path);
    }

    /** True if a nested catalog is mounted at {@code path}. */
    public boolean isNestedCatalogMountpoint(RepositoryPath path) {
        requireUsable();
        return !path.isRoot() && resolve(path.parent()).children.containsKey(path);
    }

    // ---- adding ----

    /**
     * Adds a directory. Its linkcount starts at 2 and its parent's grows by one; catalog
     * transition flags in {@code entry} are ignored (see {@link #createNestedCatalog}).
     */
    public void addDirectory(RepositoryPath path, DirectoryEntry entry) {
        requireUsable();
        requireKind(path, entry, true);
        Node node = nodeForNewChild(path);
        DirectoryEntry row = entry.toBuilder().linkcount(2).nestedMountpoint(false).nestedRoot(false)
                .bindMountpoint(false).build();
        node.catalog.insert(path, row, List.of());
        adjustLinkcount(path.parent(), +1);
        markDirty(node);
    }

    /**
     * Adds a regular file (with its chunk list if chunked), symlink or special file. A
     * {@value #MARKER} file makes its directory the root of a new nested catalog, as it does
     * when upstream publishes.
     */
    public void addFile(RepositoryPath path, DirectoryEntry entry, List<Chunk> chunks) {
        requireUsable();
        requireKind(path, entry, false);
        Node node = nodeForNewChild(path);
        node.catalog.insert(path, entry, chunks);
        markDirty(node);
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
        Node node = resolve(path);
        node.catalog.update(path, entry, chunks);
        markDirty(node);
    }

    private Node nodeForNewChild(RepositoryPath path) {
        if (path.isRoot()) {
            throw new CatalogException("the repository root exists already");
        }
        RepositoryPath parentPath = path.parent();
        Node node = resolve(parentPath);
        DirectoryEntry parent = node.catalog.lookup(parentPath).orElseThrow(
                () -> new CatalogException(path + ": parent directory " + display(parentPath) + " does not exist"));
        if (!parent.isDirectory()) {
            throw new CatalogException(path + ": parent " + display(parentPath) + " is a " + parent.kind()
                    + ", not a directory");
        }
        if (node.catalog.lookup(path).isPresent()) {
            throw new CatalogException(path + " exists already");
        }
        return node;
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
        if (path.isRoot()) {
            throw new CatalogException("the repository root cannot be removed");
        }
        RepositoryPath parentPath = path.parent();
        Node node = resolve(parentPath);
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
        markDirty(node);
    }

    private void removeSubtree(Node node, RepositoryPath path, DirectoryEntry entry) {
        if (node.children.containsKey(path)) {
            detachChild(node, path);
        } else if (entry.isDirectory()) {
            for (DirectoryEntry child : node.catalog.reader().listing(path)) {
                removeSubtree(node, path.child(child.name()), child);
            }
        }
        node.catalog.remove(path);
    }

    /** Unregisters a direct nested catalog and forgets it and everything below it. */
    private void detachChild(Node node, RepositoryPath mountpoint) {
        Child c = node.children.get(mountpoint);
        CatalogCounters attached = attachedOf(node, mountpoint);
        node.catalog.removeNestedRef(mountpoint);
        node.catalog.addToSubtree(CatalogCounters.ZERO.minus(attached));
        node.children.remove(mountpoint);
        if (c.node != null) {
            discard(c.node);
        }
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
        if (path.isRoot()) {
            throw new CatalogException("the repository root is the root catalog already");
        }
        Node node = resolve(path);
        if (node.mountpoint.equals(path)) {
            throw new CatalogException(path + " is a nested catalog already");
        }
        DirectoryEntry dir = node.catalog.lookup(path).orElseThrow(
                () -> new CatalogException("cannot create nested catalog " + path + ": no such directory"));
        if (!dir.isDirectory()) {
            throw new CatalogException("cannot create nested catalog " + path + ": it is a " + dir.kind());
        }
        WritableCatalog created = WritableCatalog.create(newStagingFile(), path, dir.withoutTransition(),
                node.catalog.reader().lastModified());
        Node child = new Node(path, null, created, node);
        moveBelow(node, child, path);
        RepositoryPath marker = path.child(MARKER);
        if (created.lookup(marker).isEmpty()) {
            DirectoryEntry markerEntry = DirectoryEntry.regularFile(MARKER, 0644, 0, emptyObject())
                    .mtime(dir.mtime()).uid(dir.uid()).gid(dir.gid()).build();
            created.insert(marker, markerEntry, List.of());
            emptyObjectNeeded = true;
        }
        node.catalog.update(path, dir.withoutTransition().toBuilder().nestedMountpoint(true).build(), List.of());
        node.catalog.setNestedRef(path, null, 0);
        child.attached = created.counters().asSubtree();
        node.catalog.addToSubtree(child.attached);
        node.children.put(path, new Child(null, 0, child));
        markDirty(child);
    }

    /**
     * Merges the nested catalog mounted at {@code path} back into its parent: its rows and its
     * own nested catalogs move up, its {@value #MARKER} is dropped, the directory stays.
     */
    public void removeNestedCatalog(RepositoryPath path) {
        requireUsable();
        Node child = resolve(path);
        if (path.isRoot() || !child.mountpoint.equals(path)) {
            throw new CatalogException(path + " is not a nested catalog mountpoint");
        }
        Node parent = child.parent;
        DirectoryEntry rootEntry = child.catalog.lookup(path).orElseThrow(
                () -> new CatalogException(CatalogObjects.label(path, child.loadedHash) + " has no root entry"));
        RepositoryPath marker = path.child(MARKER);
        if (child.catalog.lookup(marker).isPresent()) {
            child.catalog.remove(marker);
        }
        moveBelow(child, parent, path);
        parent.catalog.removeNestedRef(path);
        parent.catalog.addToSubtree(CatalogCounters.ZERO.minus(child.attached));
        parent.children.remove(path);
        parent.catalog.update(path, rootEntry.withoutTransition(), List.of());
        discard(child);
        markDirty(parent);
    }

    /**
     * Points the mountpoint {@code path} at another, already stored catalog (the receiver's
     * shortcut for a nested catalog the publisher rewrote). The replaced catalog must not have
     * been edited in this session. The parent's mountpoint row takes the new root entry.
     */
    public void swapNestedCatalog(RepositoryPath path, ContentHash hash, long size) {
        requireUsable();
        ContentHash newHash = hash.withSuffix(ObjectSuffix.CATALOG);
        if (path.isRoot()) {
            throw new CatalogException("the root catalog cannot be swapped as a nested catalog");
        }
        Node node = resolve(path.parent());
        Child c = node.children.get(path);
        if (c == null) {
            throw new CatalogException(path + " is not a nested catalog mountpoint");
        }
        if (c.node != null && c.node.dirty) {
            throw new CatalogException("nested catalog " + path + " was edited in this session and cannot be swapped");
        }
        CatalogCounters oldAttached = attachedOf(node, path);
        DirectoryEntry newRoot;
        CatalogCounters newTotals;
        try (Catalog incoming = Catalog.fromBytes(CatalogObjects.fetchInflated(source, newHash), stagingDir,
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
            discard(c.node);
        }
        node.children.put(path, new Child(newHash, size, null));
        markDirty(node);
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
                CatalogCounters attached = attachedOf(from, p);
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

    // ---- properties ----

    /** Sets the root catalog's TTL, which the manifest copies into {@code D}. */
    public void setTtl(long seconds) {
        requireUsable();
        root.catalog.setTtl(seconds);
        markDirty(root);
    }

    // ---- commit ----

    /**
     * Finalises every changed catalog and its ancestors (the root always) bottom-up: subtree
     * statistics updated, revision + 1, {@code last_modified} = now, {@code previous_revision}
     * = the hash the catalog had before (40 zeros for new ones); stores each zlib-compressed
     * under suffix C, children before parents, so that each parent records its children's
     * final hash and uncompressed size.
     */
    public CatalogCommit commit(ObjectStore store, HashAlgorithm algorithm, Clock clock) {
        requireUsable();
        spent = true;
        long now = clock.instant().getEpochSecond();
        if (emptyObjectNeeded) {
            store.putCompressed(new byte[0], markerAlgorithm, ObjectSuffix.NONE);
        }
        root.dirty = true;
        long revision = root.catalog.reader().revision() + 1;
        long ttl = root.catalog.reader().ttl().orElse(CatalogCommit.DEFAULT_TTL);
        List<ContentHash> written = new ArrayList<>();
        try {
            Finalised result = finalise(root, store, algorithm, now, written);
            return new CatalogCommit(result.hash, result.size, revision, ttl, written);
        } finally {
            closeQuietly();
        }
    }

    private record Finalised(ContentHash hash, long size, CatalogCounters totals) {
    }

    private Finalised finalise(Node node, ObjectStore store, HashAlgorithm algorithm, long now, List<ContentHash> written) {
        for (Map.Entry<RepositoryPath, Child> e : node.children.entrySet()) {
            Child c = e.getValue();
            if (c.node != null && c.node.dirty) {
                Finalised f = finalise(c.node, store, algorithm, now, written);
                node.catalog.setNestedRef(e.getKey(), f.hash, f.size);
                node.catalog.addToSubtree(f.totals.minus(c.node.attached));
                c.hash = f.hash;
                c.size = f.size;
            }
        }
        byte[] bytes = node.catalog.finishRevision(node.loadedHash, now);
        CatalogCounters totals = node.catalog.counters().asSubtree();
        ContentHash hash = store.putStored(Zlib.compress(bytes), algorithm, ObjectSuffix.CATALOG);
        written.add(hash);
        return new Finalised(hash, bytes.length, totals);
    }

    // ---- plumbing ----

    /** The loaded catalog holding the rows below {@code path} (its root row if {@code path} is a mountpoint). */
    private Node resolve(RepositoryPath path) {
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

    private Node childNode(Node node, RepositoryPath mountpoint) {
        Child c = node.children.get(mountpoint);
        if (c.node == null) {
            c.node = load(mountpoint, c.hash, node);
        }
        return c.node;
    }

    private CatalogCounters attachedOf(Node node, RepositoryPath mountpoint) {
        return childNode(node, mountpoint).attached;
    }

    private Node load(RepositoryPath mountpoint, ContentHash hash, Node parent) {
        String label = CatalogObjects.label(mountpoint, hash);
        Path file = newStagingFile();
        try {
            Files.write(file, CatalogObjects.fetchInflated(source, hash));
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

    private DirectoryEntry existing(RepositoryPath path) {
        return resolve(path).catalog.lookup(path).orElseThrow(() -> new CatalogException(display(path) + " does not exist"));
    }

    /** Rewrites the row of {@code path}, on both sides if it is a catalog boundary. */
    private void writeEntry(RepositoryPath path, DirectoryEntry entry) {
        Node node = resolve(path);
        DirectoryEntry plain = entry.withoutTransition();
        List<Chunk> chunks = entry.chunked() ? node.catalog.reader().chunks(path) : List.of();
        if (node.mountpoint.equals(path) && !path.isRoot()) {
            node.catalog.update(path, plain.toBuilder().nestedRoot(true).build(), chunks);
            node.parent.catalog.update(path, plain.toBuilder().nestedMountpoint(true).build(), chunks);
        } else {
            node.catalog.update(path, entry, chunks);
        }
        markDirty(node);
    }

    private void adjustLinkcount(RepositoryPath directory, int delta) {
        DirectoryEntry dir = existing(directory);
        writeEntry(directory, dir.toBuilder().linkcount(dir.linkcount() + delta).build());
    }

    private ContentHash emptyObject() {
        return ContentHash.compute(markerAlgorithm, Zlib.compress(new byte[0]), ObjectSuffix.NONE);
    }

    private static void markDirty(Node node) {
        for (Node n = node; n != null && !n.dirty; n = n.parent) {
            n.dirty = true;
        }
    }

    private Path newStagingFile() {
        return SqliteFile.newStagingPath(stagingDir, "catalog");
    }

    private void discard(Node node) {
        for (Child c : node.children.values()) {
            if (c.node != null) {
                discard(c.node);
            }
        }
        node.catalog.close();
        SqliteFile.delete(node.catalog.file());
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
        closeQuietly();
    }

    private void closeQuietly() {
        if (cleaned) {
            return;
        }
        cleaned = true;
        try {
            discard(root);
        } finally {
            DirectoryTree.delete(stagingDir);
        }
    }
}
