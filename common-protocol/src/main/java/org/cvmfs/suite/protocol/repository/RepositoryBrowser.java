package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.Catalog;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.NestedCatalogRef;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.history.Tag;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.name.RawName;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.MissingObjectException;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * Read-only look into a published revision, local or over HTTP, without a FUSE client: the
 * catalog tree, directory listings and file contents (chunked files reassembled). Every object is
 * verified against its name by the source. Not thread-safe; close it to drop staged catalogs.
 */
public final class RepositoryBrowser implements AutoCloseable {
    private final RepositorySource source;
    private final ContentHash rootCatalog;
    private final long rootSize;
    private final CatalogHierarchy catalogs;

    private RepositoryBrowser(RepositorySource source, ContentHash rootCatalog, long rootSize, Path scratch) {
        this.source = source;
        this.rootCatalog = rootCatalog;
        this.rootSize = rootSize;
        this.catalogs = CatalogHierarchy.open(source, rootCatalog, scratch);
    }

    /**
     * Opens the revision {@code manifest} names, or the one tagged {@code tag} in its history.
     *
     * @param scratch where catalogs are staged while open (never inside the repository)
     */
    public static RepositoryBrowser open(RepositorySource source, Manifest manifest, Optional<String> tag,
                                         Path scratch) {
        if (tag.isEmpty()) {
            return new RepositoryBrowser(source, manifest.rootCatalog(), manifest.rootCatalogSize(), scratch);
        }
        if (manifest.history() == null) {
            throw new RepositoryException("repository " + manifest.repositoryName() + " has no history (H), so no tag '"
                    + tag.get() + "'");
        }
        Tag found;
        try (TagDatabase history = TagDatabase.open(Zlib.inflate(source.fetchObject(manifest.history()),
                TagDatabase.MAX_INFLATED_BYTES), scratch)) {
            found = history.find(tag.get()).orElseThrow(() -> new RepositoryException("no tag named '" + tag.get()
                    + "' in the history of " + manifest.repositoryName()));
        }
        return new RepositoryBrowser(source, found.target().rootCatalog(), found.target().size(), scratch);
    }

    public ContentHash rootCatalog() {
        return rootCatalog;
    }

    /** Every catalog, depth first from the root, children in path order. */
    public List<CatalogInfo> catalogs() {
        List<CatalogInfo> out = new ArrayList<>();
        collect(RepositoryPath.ROOT, 0, rootCatalog, rootSize, out);
        return out;
    }

    private void collect(RepositoryPath mountpoint, int depth, ContentHash hash, long size, List<CatalogInfo> out) {
        Catalog catalog = catalogs.catalogFor(mountpoint);
        out.add(new CatalogInfo(mountpoint, depth, hash, size, catalog.revision(), catalog.rowCount()));
        for (NestedCatalogRef ref : catalog.nestedCatalogs()) {
            collect(ref.path(), depth + 1, ref.hash(), ref.size(), out);
        }
    }

    /** The entry at {@code path}; refuses a path that does not exist. */
    public DirectoryEntry stat(RepositoryPath path) {
        return catalogs.lookup(path).orElseThrow(() -> new RepositoryException(display(path) + ": no such file or directory"));
    }

    /** A directory's entries sorted by name, hidden ones left out; for anything else, the entry itself. */
    public List<DirectoryEntry> list(RepositoryPath path) {
        DirectoryEntry entry = stat(path);
        if (!entry.isDirectory()) {
            return List.of(entry);
        }
        return catalogs.listing(path).stream().filter(e -> !e.hidden()).toList();
    }

    /** Writes the content of the regular file at {@code path} to {@code out}. */
    public void cat(RepositoryPath path, OutputStream out) {
        DirectoryEntry entry = stat(path);
        switch (entry.kind()) {
            case DIRECTORY -> throw new RepositoryException(display(path) + ": is a directory");
            case SYMLINK -> throw new RepositoryException(display(path) + ": is a symbolic link to '" + RawName.printable(entry.symlink()) + "'");
            case SPECIAL -> throw new RepositoryException(display(path) + ": is a special file");
            case REGULAR -> { }
        }
        if (entry.external()) {
            throw new RepositoryException(display(path) + ": content is external (served outside the repository)");
        }
        try {
            if (entry.chunked()) {
                List<Chunk> chunks = catalogs.chunks(path);
                String problem = Chunk.listProblem(chunks, entry.size());
                if (problem != null) {
                    throw new RepositoryException(display(path) + ": " + problem);
                }
                for (Chunk c : chunks) {
                    out.write(content(path, c.hash(), c.size(), entry.uncompressed()));
                }
            } else if (entry.hash() != null) {
                out.write(content(path, entry.hash(), entry.size(), entry.uncompressed()));
            } else {
                throw new RepositoryException(display(path) + ": regular file without content hash");
            }
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the content of " + display(path), e);
        }
    }

    /** One object's content, which must be exactly {@code size} bytes once inflated. */
    private byte[] content(RepositoryPath path, ContentHash object, long size, boolean uncompressed) {
        byte[] data;
        try {
            byte[] stored = source.fetchObject(object);
            data = uncompressed ? stored : Zlib.inflate(stored, size);
        } catch (CorruptObjectException | MissingObjectException e) {
            throw new RepositoryException(display(path) + ": " + e.getMessage(), e);
        }
        if (data.length != size) {
            throw new RepositoryException(display(path) + ": object " + object + " holds " + data.length
                    + " bytes, the catalog says " + size);
        }
        return data;
    }

    /** Parses a path as a user types it: {@code /}, {@code /a/b}, {@code a/b/}. */
    public static RepositoryPath parsePath(String text) {
        String p = text.strip();
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        if (p.isEmpty()) {
            return RepositoryPath.ROOT;
        }
        try {
            return RepositoryPath.of(p.startsWith("/") ? p : "/" + p);
        } catch (IllegalArgumentException e) {
            throw new RepositoryException("invalid repository path '" + text + "': " + e.getMessage());
        }
    }

    private static String display(RepositoryPath path) {
        return path.isRoot() ? "/" : RawName.printable(path.toString());
    }

    @Override
    public void close() {
        catalogs.close();
    }
}
