package org.cvmfs.suite.protocol.gateway;

/** A request or reply body that is not the JSON message it should be. */
public final class MalformedMessageException extends IllegalArgumentException {
    public MalformedMessageException(String message) {
        super(message);
    }

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause);
    }
}
