package org.cvmfs.suite.protocol.config;

/** A configuration file that is missing, unreadable or says something invalid; the message names file and field. */
public final class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }

    public ConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
