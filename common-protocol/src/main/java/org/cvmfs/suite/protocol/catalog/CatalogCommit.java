package org.cvmfs.suite.protocol.catalog;

import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * What committing a catalog hierarchy produced, ready for the manifest ({@code C}, {@code B},
 * {@code S}, {@code D}).
 *
 * @param rootHash the new root catalog (suffix C)
 * @param rootSize uncompressed size of the root catalog
 * @param revision the root catalog's new revision
 * @param ttl the root catalog's TTL property, 240 when absent (upstream's default)
 * @param lastModified the root catalog's {@code last_modified}: when it was committed, in epoch seconds
 * @param catalogs every catalog written, children before parents, the root last
 */
public record CatalogCommit(ContentHash rootHash, long rootSize, long revision, long ttl, long lastModified,
                            List<ContentHash> catalogs) {
    /** Client default when the root catalog carries no {@code TTL}. */
    public static final long DEFAULT_TTL = 240;

    public CatalogCommit {
        catalogs = List.copyOf(catalogs);
    }
}
