package org.cvmfs.suite.protocol.repository.check;

import java.util.Objects;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * Choices of a repository check, as {@code cvmfs_server check} takes them.
 *
 * @param checkObjects   fetch every referenced object and verify it hashes to its name; off is
 *                       {@code -c}
 * @param tag            walk the catalogs of this tag instead of the head ({@code -t})
 * @param reflogChecksum the reflog digest to hold the served reflog to: the server's
 *                       {@code reflog.chksum}, or the file given with {@code -R}
 * @param replicaReflog  {@code -R}: the reflog is a replica's own (Stratum-1), so the manifest's
 *                       {@code Y}, which names the Stratum-0's, is not compared with it
 * @param subtree        {@code -s}: walk the objects below this path only
 * @param scrubStorage   {@code -i}: also hash every file of the local {@code data/} against its name
 */
public record CheckOptions(boolean checkObjects, Optional<String> tag, Optional<ContentHash> reflogChecksum,
                           boolean replicaReflog, Optional<RepositoryPath> subtree, boolean scrubStorage) {
    public CheckOptions {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(reflogChecksum, "reflog checksum");
        Objects.requireNonNull(subtree, "subtree");
    }

    public CheckOptions(boolean checkObjects, Optional<String> tag, Optional<ContentHash> reflogChecksum) {
        this(checkObjects, tag, reflogChecksum, false, Optional.empty(), false);
    }

    public static CheckOptions full() {
        return new CheckOptions(true, Optional.empty(), Optional.empty());
    }

    public CheckOptions withTag(String name) {
        return new CheckOptions(checkObjects, Optional.of(name), reflogChecksum, replicaReflog, subtree, scrubStorage);
    }

    public CheckOptions withoutObjects() {
        return new CheckOptions(false, tag, reflogChecksum, replicaReflog, subtree, scrubStorage);
    }

    public CheckOptions withReflogChecksum(Optional<ContentHash> digest) {
        return new CheckOptions(checkObjects, tag, digest, replicaReflog, subtree, scrubStorage);
    }

    /** {@code -R}: a replica's own reflog, held to {@code digest} instead of the manifest's {@code Y}. */
    public CheckOptions withReplicaReflog(ContentHash digest) {
        return new CheckOptions(checkObjects, tag, Optional.of(digest), true, subtree, scrubStorage);
    }

    public CheckOptions withSubtree(RepositoryPath path) {
        return new CheckOptions(checkObjects, tag, reflogChecksum, replicaReflog, Optional.of(path), scrubStorage);
    }

    public CheckOptions withStorageScrub() {
        return new CheckOptions(checkObjects, tag, reflogChecksum, replicaReflog, subtree, true);
    }
}
