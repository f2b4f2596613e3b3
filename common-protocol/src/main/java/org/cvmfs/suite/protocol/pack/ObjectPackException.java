package org.cvmfs.suite.protocol.pack;

/** An object pack that is malformed, truncated or does not match its digest. */
public final class ObjectPackException extends RuntimeException {
    public ObjectPackException(String message) {
        super(message);
    }

    public ObjectPackException(String message, Throwable cause) {
        super(message, cause);
    }
}
