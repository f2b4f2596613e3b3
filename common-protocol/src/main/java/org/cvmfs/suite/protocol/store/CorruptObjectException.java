package org.cvmfs.suite.protocol.store;

/** An object whose bytes do not match its name or cannot be decoded. */
public class CorruptObjectException extends RuntimeException {
    public CorruptObjectException(String message) {
        super(message);
    }
}
