package org.cvmfs.suite.gateway.lease;

/** The lease database failed; the request is answered with this message as reason. */
public final class LeaseStoreException extends RuntimeException {
    public LeaseStoreException(String message) {
        super(message);
    }

    public LeaseStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
