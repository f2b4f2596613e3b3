package org.cvmfs.suite.protocol.repository;

/** The repository's head is not the manifest a publication was built on: someone else published first. */
public class HeadMovedException extends RepositoryException {
    public HeadMovedException(String message) {
        super(message);
    }
}
