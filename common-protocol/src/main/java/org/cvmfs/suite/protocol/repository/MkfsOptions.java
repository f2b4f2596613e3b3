package org.cvmfs.suite.protocol.repository;

import java.util.Objects;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;

/**
 * What {@code cvmfs_server mkfs} lets an administrator choose for a new Stratum-0.
 *
 * @param owner             {@code -o}: owner of the repository and of its root directory
 * @param hashAlgorithm     {@code -a}: content hash algorithm
 * @param garbageCollection {@code -z}: manifest {@code G}, {@code CVMFS_GARBAGE_COLLECTION}
 */
public record MkfsOptions(RepositoryOwner owner, HashAlgorithm hashAlgorithm, boolean garbageCollection) {
    public MkfsOptions {
        Objects.requireNonNull(owner, "owner");
        Objects.requireNonNull(hashAlgorithm, "hash algorithm");
    }
}
