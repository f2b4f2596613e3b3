package org.cvmfs.suite.protocol.notify;

/** A notification message (activity or subscription) that cannot be accepted; the message names the field. */
public class NotifyMessageException extends RuntimeException {
    public NotifyMessageException(String message) {
        super(message);
    }
}
