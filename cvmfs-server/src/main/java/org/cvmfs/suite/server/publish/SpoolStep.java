package org.cvmfs.suite.server.publish;

import org.cvmfs.suite.protocol.crashtest.PausePoint;

/**
 * The step boundaries of {@link PublisherSpool}'s writes of the transaction state, named so that
 * a crash test can hold a real {@code cvmfs_server} process exactly there and kill it
 * ({@link PausePoint}; inert in production).
 */
enum SpoolStep {
    /** {@code save}: {@code session_token} holds the state's token (written, or already so). */
    TOKEN_WRITTEN,
    /** {@code save}: {@code publisher/transaction.json} holds the new state. */
    STATE_WRITTEN,
    /** {@code clear}: the state is gone, the token not yet. */
    STATE_REMOVED,
    /** {@code clear}: both are gone. */
    TOKEN_REMOVED;

    void reached() {
        PausePoint.reached(name());
    }
}
