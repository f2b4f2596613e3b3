package org.cvmfs.suite.protocol.repository;

/** A repository operation refused because of the repository's state; the message names what is wrong. */
public class RepositoryException extends RuntimeException {
    public RepositoryException(String message) {
        super(message);
    }

    public RepositoryException(String message, Throwable cause) {
        super(message, cause);
    }
}
