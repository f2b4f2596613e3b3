package org.cvmfs.suite.protocol.repository;

import org.cvmfs.suite.protocol.crashtest.PausePoint;

/**
 * The step boundaries of {@link HeadPublisher}'s installation of a revision, named so that a
 * crash test can stop a real process exactly there.
 *
 * <p>Test-only hook, inert in production ({@link PausePoint}): only when the system property
 * {@value #PAUSE_AT_PROPERTY} names a step and {@value #PAUSE_DIR_PROPERTY} a directory does the
 * publishing thread, on reaching that boundary, create the file {@code DIR/STEP} and then wait
 * for ever, so that the test can {@code kill -9} the process at that instant.
 */
public enum PublicationStep {
    /** History and certificate objects are in {@code data/}; nothing served has changed. */
    OBJECTS_STORED,
    /** The new reflog is staged in the spool ({@code reflog.pending}). */
    REFLOG_STAGED,
    /** The new {@code .cvmfspublished} is served: the revision is published (commit point). */
    MANIFEST_REPLACED,
    /** {@code .cvmfsreflog} is the new reflog. */
    REFLOG_REPLACED,
    /** {@code reflog.chksum} names the new reflog; only the staged copy remains to be removed. */
    CHECKSUM_WRITTEN;

    public static final String PAUSE_AT_PROPERTY = PausePoint.PAUSE_AT_PROPERTY;
    public static final String PAUSE_DIR_PROPERTY = PausePoint.PAUSE_DIR_PROPERTY;

    /** Marks that the boundary after this step is reached; pauses only under the test hook. */
    void reached() {
        PausePoint.reached(name());
    }
}
