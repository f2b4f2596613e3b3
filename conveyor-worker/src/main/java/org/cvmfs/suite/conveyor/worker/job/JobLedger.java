package org.cvmfs.suite.conveyor.worker.job;

import org.cvmfs.suite.protocol.conveyor.ProcessedJob;
import org.cvmfs.suite.protocol.conveyor.UnprocessedJob;

/**
 * The job server as one attempt needs it. An attempt asks {@link #ended} and stores a failure
 * while it holds the lease: the broker may hand out two copies of one job message (the server's
 * outbox publishes at least once), and the copy that waited for the lease must neither publish a
 * job that already failed nor run it again.
 */
public interface JobLedger {
    /**
     * True when the job already ended or was cancelled. Throws a retryable
     * {@link org.cvmfs.suite.conveyor.worker.failure.JobFailure} when the server cannot tell:
     * nothing is published without knowing the job is still to be done.
     */
    boolean ended(UnprocessedJob job);

    /** Reports the result; true once the server stored it, false when it did not (after retries). */
    boolean store(ProcessedJob result);
}
