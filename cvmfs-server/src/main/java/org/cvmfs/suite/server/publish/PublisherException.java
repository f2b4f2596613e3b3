package org.cvmfs.suite.server.publish;

/** A publisher command that cannot go on; {@code exitCode} is what upstream's command exits with. */
public class PublisherException extends RuntimeException {
    /** Upstream exits with EBUSY when the lease path is taken and no retry was asked for. */
    public static final int BUSY = 16;
    public static final int NOT_FOUND = 2;
    public static final int NOT_A_DIRECTORY = 20;
    public static final int FAILED = 1;

    private final int exitCode;

    public PublisherException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    public PublisherException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public int exitCode() {
        return exitCode;
    }
}
