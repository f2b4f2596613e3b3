package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The step boundaries of {@link HeadPublisher}'s installation of a revision, named so that a
 * crash test can stop a real process exactly there.
 *
 * <p>Test-only hook, inert in production: only when the system property
 * {@value #PAUSE_AT_PROPERTY} names a step and {@value #PAUSE_DIR_PROPERTY} a directory does the
 * publishing thread, on reaching that boundary, create the file {@code DIR/STEP} and then wait
 * for ever, so that the test can {@code kill -9} the process at that instant. Both properties are
 * read once, when the class loads.
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

    public static final String PAUSE_AT_PROPERTY = "cvmfs.suite.test.pause-at";
    public static final String PAUSE_DIR_PROPERTY = "cvmfs.suite.test.pause-dir";

    private static final String PAUSE_AT = System.getProperty(PAUSE_AT_PROPERTY);
    private static final String PAUSE_DIR = System.getProperty(PAUSE_DIR_PROPERTY);

    /** Marks that the boundary after this step is reached; pauses only under the test hook. */
    void reached() {
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
                // keep holding the process at this boundary until it is killed
            }
        }
    }
}
