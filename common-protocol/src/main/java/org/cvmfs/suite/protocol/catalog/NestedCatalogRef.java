package org.cvmfs.suite.protocol.catalog;

import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * A row of {@code nested_catalogs}: the mountpoint of a direct child catalog, the child's name
 * in the object store (suffix C) and its uncompressed size (0 when unknown, schema revision 0).
 */
public record NestedCatalogRef(RepositoryPath path, ContentHash hash, long size) {
    public NestedCatalogRef {
        if (path == null || path.isRoot()) {
            throw new IllegalArgumentException("nested catalog mountpoint '" + path + "' must be below the root");
        }
        if (hash == null) {
            throw new IllegalArgumentException("nested catalog " + path + " has no hash");
        }
        if (hash.suffix() != ObjectSuffix.CATALOG) {
            throw new IllegalArgumentException("nested catalog hash " + hash + " must carry suffix C");
        }
        if (size < 0) {
            throw new IllegalArgumentException("nested catalog " + path + " has negative size " + size);
        }
    }
}
