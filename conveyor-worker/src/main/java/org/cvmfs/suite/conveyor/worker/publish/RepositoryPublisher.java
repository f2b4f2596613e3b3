package org.cvmfs.suite.conveyor.worker.publish;

import java.nio.file.Path;
import java.util.Optional;

/**
 * What a worker needs from a publisher host: open a transaction on a lease path, publish it
 * under a tag, abort it, and find a tag in the repository's history. Two implementations: the
 * suite's publisher in-process ({@link InProcessPublisher}, the default) and an installed
 * {@code cvmfs_server} run as commands ({@link CommandPublisher}). Failures are
 * {@link org.cvmfs.suite.conveyor.worker.failure.JobFailure}s with upstream's messages.
 */
public interface RepositoryPublisher {

    /**
     * Where the payload script runs: {@code workingDirectory} is its current directory
     * ({@code /cvmfs/REPO} as upstream, when the transaction is visible there), and
     * {@code leaseDirectory} the writable leased subtree (also given to the script as
     * {@code CONVEYOR_LEASE_DIR}).
     */
    record Workspace(Path workingDirectory, Path leaseDirectory) {
    }

    /** {@code cvmfs_server transaction REPO/PATH}, waiting for a busy lease path. */
    Workspace open(String repository, String leasePath);

    /** {@code cvmfs_server publish -a TAG -m DESCRIPTION REPO}. */
    void publish(String repository, String tag, String description);

    /** {@code cvmfs_server abort -f REPO}; quiet when nothing is open. */
    void abort(String repository);

    /** The revision tagged {@code tag} in the repository's published history, if any. */
    Optional<Long> findTag(String repository, String tag);
}
