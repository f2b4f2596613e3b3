package org.cvmfs.suite.protocol.catalog;

import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;

/** How catalogs travel: zlib-compressed SQLite files named by the hash of the compressed bytes, suffix C. */
final class CatalogObjects {
    /** Refuse to inflate more than this: far above any sane catalog, well below a zip bomb's aim. */
    static final long MAX_CATALOG_BYTES = 1L << 30;

    private CatalogObjects() {
    }

    /** Fetches (hash-verified by the source) and inflates a catalog. */
    static byte[] fetchInflated(RepositorySource source, ContentHash hash) {
        byte[] stored = source.fetchObject(hash.withSuffix(ObjectSuffix.CATALOG));
        return Zlib.inflate(stored, MAX_CATALOG_BYTES);
    }

    static String label(RepositoryPath mountpoint, ContentHash hash) {
        return (mountpoint.isRoot() ? "root catalog" : "catalog " + mountpoint)
                + (hash == null ? "" : " (" + hash.withSuffix(ObjectSuffix.CATALOG) + ")");
    }
}
