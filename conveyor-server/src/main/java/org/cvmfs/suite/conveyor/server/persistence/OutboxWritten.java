package org.cvmfs.suite.conveyor.server.persistence;

/**
 * Fired by {@link JobStore#enqueue} for every outbox row written. The relay observes it after the
 * writing transaction committed, so it wakes exactly when there is something new to send, whichever
 * route or job transition wrote the row.
 */
public record OutboxWritten() {
}
