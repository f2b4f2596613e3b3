package org.cvmfs.suite.server.publish;

import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.ingest.Compression;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;

/**
 * Catalog rows for what a publisher adds, whether it comes from a working tree or a tarball.
 * Linkcount 1 for files (hard links are split, as the gateway stores them), no xattrs, mtime in
 * whole seconds (upstream's default, {@code CVMFS_ENABLE_MTIME_NS=false}).
 */
final class CatalogEntries {
    private CatalogEntries() {
    }

    static DirectoryEntry directory(String name, int permissions, long size, long mtime, long uid, long gid) {
        return DirectoryEntry.directory(name, permissions).size(size).mtime(mtime).uid(uid).gid(gid).build();
    }

    static DirectoryEntry symlink(String name, String target, long mtime, long uid, long gid) {
        return DirectoryEntry.symlink(name, target).mtime(mtime).uid(uid).gid(gid).build();
    }

    static DirectoryEntry file(String name, int permissions, ProcessedContent c, long mtime, long uid, long gid) {
        DirectoryEntry.Builder b = c.isChunked()
                ? DirectoryEntry.chunkedFile(name, permissions, c.size(), c.algorithm())
                : DirectoryEntry.regularFile(name, permissions, c.size(), c.bulk().orElseThrow()).hashAlgorithm(c.algorithm());
        return b.uncompressed(c.compression() == Compression.NONE).mtime(mtime).uid(uid).gid(gid).build();
    }
}
