package org.cvmfs.suite.protocol.history;

import java.util.Objects;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * The root catalog a tag points to, with the facts upstream copies from it into the tag row.
 *
 * @param rootCatalog  the root catalog (suffix C)
 * @param revision     the catalog's {@code revision} property
 * @param timestamp    the catalog's {@code last_modified} property, Unix seconds
 * @param size         the uncompressed catalog size in bytes
 */
public record TagTarget(ContentHash rootCatalog, long revision, long timestamp, long size) {
    public TagTarget {
        Objects.requireNonNull(rootCatalog, "root catalog");
        rootCatalog = rootCatalog.withSuffix(ObjectSuffix.CATALOG);
        if (revision < 0 || size < 0) {
            throw new IllegalArgumentException("tag target revision and size must not be negative: revision "
                    + revision + ", size " + size);
        }
    }
}
