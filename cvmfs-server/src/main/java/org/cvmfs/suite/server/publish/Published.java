package org.cvmfs.suite.server.publish;

import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * What a publication produced, as {@code publish} and {@code ingest} report it.
 *
 * @param revision        the revision the gateway answered with ({@code -1} if it did not say)
 * @param rootCatalog     the root catalog this publisher committed
 * @param filesProcessed  regular files compressed and hashed
 * @param bytesProcessed  their size before compression
 * @param bytesUploaded   object pack bytes sent to the gateway
 */
public record Published(long revision, ContentHash rootCatalog, int filesProcessed, long bytesProcessed,
                        long bytesUploaded) {
}
