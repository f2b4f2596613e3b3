package org.cvmfs.suite.server.publish;

import org.cvmfs.suite.protocol.crashtest.PausePoint;

/**
 * The step boundaries {@link UpperFold} adds to a publication with an overlay, named so that a
 * crash test can hold a real {@code cvmfs_server} process there and kill it ({@link PausePoint};
 * inert in production).
 */
enum FoldStep {
    /** The commit landed and the overlay is unmounted; the lower tree is still the base. */
    COMMIT_LANDED,
    /** The first entry of the upper layer is applied to the lower tree (the record says folding). */
    ENTRY_MOVED,
    /** The lower tree is recorded at the new root; the upper layer is not cleared yet. */
    FOLDED;

    void reached() {
        PausePoint.reached(name());
    }
}
