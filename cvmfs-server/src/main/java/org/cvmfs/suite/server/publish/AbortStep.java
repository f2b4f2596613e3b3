package org.cvmfs.suite.server.publish;

import org.cvmfs.suite.protocol.crashtest.PausePoint;

/**
 * The step boundaries of {@link TransactionAbort} before it forgets the transaction (which is
 * {@link SpoolStep}'s), named so that a crash test can hold a real {@code cvmfs_server abort}
 * exactly there and kill it ({@link PausePoint}; inert in production).
 */
enum AbortStep {
    /** The working tree is unmounted; the lease is still held. */
    UNMOUNTED,
    /** The gateway dropped the lease; the changes and the state are still there. */
    LEASE_DROPPED,
    /** An overlay's upper layer is emptied; the state is still there. */
    LAYERS_CLEARED;

    void reached() {
        PausePoint.reached(name());
    }
}
