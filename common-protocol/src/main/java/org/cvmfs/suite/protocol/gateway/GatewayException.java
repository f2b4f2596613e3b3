package org.cvmfs.suite.protocol.gateway;

/** The gateway could not be reached or did not answer with a status reply. */
public final class GatewayException extends RuntimeException {
    public GatewayException(String message) {
        super(message);
    }

    public GatewayException(String message, Throwable cause) {
        super(message, cause);
    }
}
