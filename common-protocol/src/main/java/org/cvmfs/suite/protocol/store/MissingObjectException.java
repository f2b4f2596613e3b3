package org.cvmfs.suite.protocol.store;

import org.cvmfs.suite.protocol.hash.ContentHash;

/** A referenced object that the store or the remote repository does not have. */
public class MissingObjectException extends RuntimeException {
    private final transient ContentHash hash;

    public MissingObjectException(ContentHash hash) {
        super("object " + hash + " is missing");
        this.hash = hash;
    }

    public MissingObjectException(ContentHash hash, String where) {
        super("object " + hash + " is missing from " + where);
        this.hash = hash;
    }

    public ContentHash hash() {
        return hash;
    }
}
