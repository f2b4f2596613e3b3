package org.cvmfs.suite.conveyor.worker.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cvmfs.suite.protocol.repository.PublicationStep;

/**
 * The step boundaries of one delivery in a worker, in order, named so that a crash test can stop
 * a real worker process exactly there and {@code kill -9} it. What holds at each boundary, and
 * so what the next worker finds, is stated in {@link JobRunner}'s class comment.
 *
 * <p>Test-only hook, inert in production, the same one as the gateway's {@link PublicationStep}
 * (same system properties, distinct step names): only when {@value PublicationStep#PAUSE_AT_PROPERTY}
 * names a step and {@value PublicationStep#PAUSE_DIR_PROPERTY} a directory does the worker's
 * thread, on reaching that boundary, create the file {@code DIR/STEP} (holding the process id)
 * and then wait for ever. Both properties are read once, when the class loads.
 */
public enum JobStep {
    /** The delivery is decoded; nothing else happened (no claim, no download, no lease). */
    RECEIVED,
    /** The server recorded the job as running on this worker. */
    CLAIMED,
    /** The payload script is downloaded and verified in {@code temp_dir}; no lease yet. */
    PAYLOAD_FETCHED,
    /** The transaction marker names the job; the transaction is not open yet. */
    MARKED,
    /** The transaction is open: the lease is held, the job's tag is not in the history. */
    TRANSACTION_OPENED,
    /** The script exited 0; its changes are in the open transaction, nothing published. */
    SCRIPT_FINISHED,
    /** The publication tagged {@code conveyor-<job id>} landed; the marker is still there. */
    PUBLISHED,
    /**
     * The attempt's result is known and not stored yet: after a publication (lease released,
     * marker removed), or after a failure with the transaction still open (lease and marker held).
     */
    ATTEMPT_ENDED,
    /** The server stored the result; the delivery is not acked yet. */
    RESULT_STORED;

    private static final String PAUSE_AT = System.getProperty(PublicationStep.PAUSE_AT_PROPERTY);
    private static final String PAUSE_DIR = System.getProperty(PublicationStep.PAUSE_DIR_PROPERTY);

    /** Marks that this boundary is reached; pauses only under the test hook. */
    public void reached() {
        if (PAUSE_AT == null || PAUSE_DIR == null || !PAUSE_AT.equals(name())) {
            return;
        }
        try {
            Files.createDirectories(Path.of(PAUSE_DIR));
            Files.writeString(Path.of(PAUSE_DIR).resolve(name()), Long.toString(ProcessHandle.current().pid()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot mark pause point " + name(), e);
        }
        while (true) {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException ignored) {
                // keep holding the worker at this boundary until it is killed
            }
        }
    }
}
