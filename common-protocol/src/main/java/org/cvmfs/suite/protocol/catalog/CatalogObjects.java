package org.cvmfs.suite.protocol.catalog;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;

/** How catalogs travel: zlib-compressed SQLite files named by the hash of the compressed bytes, suffix C. */
public final class CatalogObjects {
    /** Refuse to inflate more than this: far above any sane catalog, well below a zip bomb's aim. */
    static final long MAX_CATALOG_BYTES = 1L << 30;

    private CatalogObjects() {
    }

    /**
     * Fetches and inflates a catalog into {@code file}, which must not exist, streaming: neither
     * the inflated catalog nor, from a source that streams ({@link RepositorySource#openObject}),
     * the compressed one is ever whole in the heap. The object is verified against its name once
     * read to its end, before this returns; a failure, that one included, leaves no file.
     */
    static void stage(RepositorySource source, ContentHash hash, Path file) {
        try (InputStream stored = source.openObject(hash.withSuffix(ObjectSuffix.CATALOG));
                OutputStream out = new BufferedOutputStream(Files.newOutputStream(file, StandardOpenOption.CREATE_NEW),
                        64 * 1024)) {
            Zlib.inflateTo(stored, MAX_CATALOG_BYTES, out);
        } catch (IOException e) {
            throw SqliteFile.deleteAfter(file, new UncheckedIOException("cannot stage catalog " + hash + " as " + file, e));
        } catch (RuntimeException e) {
            throw SqliteFile.deleteAfter(file, e);
        }
    }

    /**
     * Compresses and stores a finished catalog file ({@link WritableCatalog#finish}), streaming:
     * neither the file nor its compressed bytes are ever whole in the heap. Returns its name.
     */
    public static ContentHash store(ObjectStore store, HashAlgorithm algorithm, Path file) {
        return store.putStreamed(algorithm, ObjectSuffix.CATALOG, out -> Zlib.compressCatalog(file, out));
    }

    /** The size of a finished catalog file, as catalogs and manifests record it. */
    public static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the size of catalog " + file, e);
        }
    }

    static String label(RepositoryPath mountpoint, ContentHash hash) {
        return (mountpoint.isRoot() ? "root catalog" : "catalog " + mountpoint)
                + (hash == null ? "" : " (" + hash.withSuffix(ObjectSuffix.CATALOG) + ")");
    }
}
