package org.cvmfs.suite.notify.config;

/** A notification service configuration that cannot be used; the message names the file and key. */
public class NotifyConfigException extends RuntimeException {
    public NotifyConfigException(String message) {
        super(message);
    }
}
