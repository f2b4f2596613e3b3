package org.cvmfs.suite.protocol.config;

/** A configuration file or value that cannot be accepted; the message names file, line or key. */
public class ConfigException extends RuntimeException {
    public ConfigException(String message) {
        super(message);
    }
}
