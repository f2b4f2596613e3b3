package org.cvmfs.suite.protocol.manifest;

/** A manifest, whitelist or signature that is malformed or does not verify. */
public class ManifestException extends RuntimeException {
    public ManifestException(String message) {
        super(message);
    }

    public ManifestException(String message, Throwable cause) {
        super(message, cause);
    }
}
