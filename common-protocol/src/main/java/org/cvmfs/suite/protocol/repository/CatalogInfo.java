package org.cvmfs.suite.protocol.repository;

import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * One catalog of a repository as {@code list-catalogs} shows it.
 *
 * @param mountpoint where it is mounted ({@link RepositoryPath#ROOT} for the root catalog)
 * @param depth      0 for the root catalog, 1 for its children, ...
 * @param hash       its object name (suffix C)
 * @param size       uncompressed size as its parent (or the manifest) records it; 0 if unknown
 * @param revision   its {@code revision} property
 * @param entries    its number of rows
 */
public record CatalogInfo(RepositoryPath mountpoint, int depth, ContentHash hash, long size, long revision,
                          long entries) {
}
