package org.cvmfs.suite.protocol.ingest;

/** A file whose content cannot be turned into objects: unreadable, or changed while being read. */
public class IngestException extends RuntimeException {
    public IngestException(String message) {
        super(message);
    }

    public IngestException(String message, Throwable cause) {
        super(message, cause);
    }
}
