package org.cvmfs.suite.protocol.gateway;

/** A lease path that cannot be granted; the message is the reply's {@code reason}. */
public final class LeasePathException extends IllegalArgumentException {
    public LeasePathException(String reason) {
        super(reason);
    }
}
