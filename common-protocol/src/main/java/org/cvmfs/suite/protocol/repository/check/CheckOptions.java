package org.cvmfs.suite.protocol.repository.check;

import java.util.Objects;
import java.util.Optional;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * Choices of a repository check.
 *
 * @param checkObjects   fetch every referenced object and verify it hashes to its name; off is
 *                       {@code cvmfs_server check -c}
 * @param tag            walk the catalogs of this tag instead of the head ({@code -t})
 * @param reflogChecksum the server's {@code reflog.chksum}, a second source for the reflog digest
 */
public record CheckOptions(boolean checkObjects, Optional<String> tag, Optional<ContentHash> reflogChecksum) {
    public CheckOptions {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(reflogChecksum, "reflog checksum");
    }

    public static CheckOptions full() {
        return new CheckOptions(true, Optional.empty(), Optional.empty());
    }

    public CheckOptions withTag(String name) {
        return new CheckOptions(checkObjects, Optional.of(name), reflogChecksum);
    }

    public CheckOptions withoutObjects() {
        return new CheckOptions(false, tag, reflogChecksum);
    }

    public CheckOptions withReflogChecksum(Optional<ContentHash> digest) {
        return new CheckOptions(checkObjects, tag, digest);
    }
}
