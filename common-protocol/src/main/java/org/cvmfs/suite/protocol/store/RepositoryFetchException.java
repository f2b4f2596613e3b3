package org.cvmfs.suite.protocol.store;

/**
 * A repository that cannot be read: unreachable server, unexpected HTTP status, a response larger
 * than allowed, or an I/O error. Distinct from a missing file ({@link MissingRootFileException},
 * {@link MissingObjectException}), which is an answer, not a failure.
 */
public class RepositoryFetchException extends RuntimeException {
    public RepositoryFetchException(String message) {
        super(message);
    }

    public RepositoryFetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
