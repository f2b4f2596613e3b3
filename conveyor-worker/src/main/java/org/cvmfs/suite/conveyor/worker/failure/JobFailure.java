package org.cvmfs.suite.conveyor.worker.failure;

/**
 * Why one attempt at a job failed, with upstream's message where upstream has one, and whether
 * the server may retry it: transient causes (lease busy, payload host unreachable, publication
 * refused) are retryable; a bad payload, a checksum mismatch or a script that exited non-zero
 * or timed out are not.
 */
public final class JobFailure extends RuntimeException {
    private final boolean retryable;

    public JobFailure(String message, boolean retryable) {
        super(message);
        this.retryable = retryable;
    }

    public JobFailure(String message, boolean retryable, Throwable cause) {
        super(message, cause);
        this.retryable = retryable;
    }

    public boolean retryable() {
        return retryable;
    }
}
