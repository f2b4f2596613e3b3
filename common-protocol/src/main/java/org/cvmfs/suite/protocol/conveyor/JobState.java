package org.cvmfs.suite.protocol.conveyor;

import java.util.Locale;

/**
 * Our extension: where a job is in its life. Upstream knows only "completed" rows; the server
 * records every job at submission. Terminal states never change again.
 */
public enum JobState {
    /** Submitted, dependencies not yet all succeeded: not on the broker. */
    WAITING,
    /** Handed to {@code jobs.new} (or about to be, through the outbox). */
    QUEUED,
    /** A worker reported that it started the job (or a retry is scheduled: back to QUEUED). */
    RUNNING,
    SUCCEEDED,
    FAILED,
    CANCELLED;

    public boolean terminal() {
        return this == SUCCEEDED || this == FAILED || this == CANCELLED;
    }

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static JobState fromWire(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown job state '" + text + "'", e);
        }
    }
}
