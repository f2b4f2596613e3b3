package org.cvmfs.suite.gateway.receiver;

/** A payload or commit the receiver refused or failed; the message is the reply's {@code reason}. */
public final class ReceiverException extends RuntimeException {
    public ReceiverException(String reason) {
        super(reason);
    }

    public ReceiverException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
