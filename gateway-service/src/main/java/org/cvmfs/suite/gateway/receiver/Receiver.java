package org.cvmfs.suite.gateway.receiver;

import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * Publishes a lease's change: the difference between {@code oldRoot} and {@code newRoot} (root
 * catalogs the publisher uploaded), limited to the lease path, applied onto the repository's
 * current head; then history tags, reflog, a manifest with revision + 1, signed and published.
 *
 * <p>The gateway calls it with the repository's commit lock held, so an implementation never
 * sees two commits of one repository at once. On failure it throws {@link ReceiverException}
 * and must leave the published revision as it was; the lease stays and the commit may be
 * retried.
 */
public interface Receiver {
    CommitResult commit(Lease lease, ContentHash oldRoot, ContentHash newRoot, TagSpec tag);
}
