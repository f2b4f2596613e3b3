package org.cvmfs.suite.protocol.conveyor;

/** A Conveyor message or payload string that cannot be decoded; the message says why. */
public final class MalformedJobException extends RuntimeException {
    public MalformedJobException(String message) {
        super(message);
    }

    public MalformedJobException(String message, Throwable cause) {
        super(message, cause);
    }
}
