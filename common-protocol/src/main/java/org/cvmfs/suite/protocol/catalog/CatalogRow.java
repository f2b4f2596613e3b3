package org.cvmfs.suite.protocol.catalog;

import org.cvmfs.suite.protocol.hash.PathHash;

/**
 * A {@code catalog} row exactly as stored, before decoding; the verifier looks at rows that
 * cannot be decoded, and at keys that do not match their path.
 */
record CatalogRow(
        PathHash md5path,
        PathHash parent,
        long hardlinks,
        byte[] hash,
        long size,
        int mode,
        long mtime,
        Integer mtimeNs,
        int flags,
        String name,
        String symlink,
        long uid,
        long gid,
        byte[] xattr) {
}
