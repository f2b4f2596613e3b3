package org.cvmfs.suite.server.publish;

import org.cvmfs.suite.protocol.crashtest.PausePoint;

/**
 * The step boundaries of {@link LowerTree}'s own writes: taking over the lower tree of earlier
 * versions, and removing a tree used least recently. Named so that a crash test can hold a real
 * {@code cvmfs_server} process there and kill it ({@link PausePoint}; inert in production).
 */
enum LowerTreeStep {
    /** The former snapshot is in its lease path's directory; tree and record are not. */
    SNAPSHOT_TAKEN_OVER,
    /** The former tree is in its lease path's directory; its record is not yet. */
    TREE_TAKEN_OVER,
    /** A tree used least recently is renamed aside ({@code lowers/.removed-*}), not yet deleted. */
    TREE_SET_ASIDE;

    void reached() {
        PausePoint.reached(name());
    }
}
