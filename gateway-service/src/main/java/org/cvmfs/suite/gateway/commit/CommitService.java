package org.cvmfs.suite.gateway.commit;

import org.cvmfs.suite.gateway.receiver.ReceiverException;
import org.cvmfs.suite.gateway.receiver.Receiver;
import org.cvmfs.suite.gateway.receiver.CommitResult;
import org.cvmfs.suite.gateway.receiver.TagSpec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.repo.LeaseAndCommitLocks;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.jboss.logging.Logger;

/**
 * Commits a lease: checks it, then runs the {@link Receiver} under the repository's commit lock
 * (commits of other repositories run in parallel). The lease ends only when the receiver
 * succeeded, so a failed commit can be retried on the same lease.
 *
 * <p>One lock, {@link LeaseAndCommitLocks#committing}, serialises everything that changes what a
 * lease may still do or what the store holds: commits, drops and admin cancels, and garbage
 * collection. The lease is re-read after the lock is taken and must still exist and be
 * unexpired, so an expired lease never commits, and whichever of a commit and a drop takes the
 * lock first wins.
 */
@Singleton
public class CommitService {
    private static final Logger LOG = Logger.getLogger(CommitService.class);

    private final LeaseService leases;
    private final LeaseAndCommitLocks locks;
    private final Receiver receiver;
    private final MeterRegistry metrics;
    private final PublicationNotifier notifier;

    @Inject
    public CommitService(LeaseService leases, LeaseAndCommitLocks locks, Receiver receiver, MeterRegistry metrics,
                         PublicationNotifier notifier) {
        this.leases = leases;
        this.locks = locks;
        this.receiver = receiver;
        this.metrics = metrics;
        this.notifier = notifier;
    }

    public GatewayReply commit(String token, CommitRequest request) {
        Optional<Lease> found = leases.active(token);
        if (found.isEmpty()) {
            return outcome("invalid_lease", GatewayReply.error("invalid lease"));
        }
        Lease lease = found.get();
        ContentHash oldRoot;
        ContentHash newRoot;
        try {
            oldRoot = catalogHash("old_root_hash", request.oldRootHash());
            newRoot = catalogHash("new_root_hash", request.newRootHash());
        } catch (IllegalArgumentException e) {
            LOG.infof("commit refused: path=%s key_id=%s reason=%s", lease.path(), lease.keyId(), e.getMessage());
            return outcome("refused", GatewayReply.error(e.getMessage()));
        }
        ReentrantLock lock = locks.committing(lease.repository());
        lock.lock();
        try {
            // re-read under the lock, expiry included: while this commit waited, the lease may have
            // been committed, dropped, cancelled, or may have expired (and its path leased again)
            if (leases.active(token).isEmpty()) {
                return outcome("invalid_lease", GatewayReply.error("invalid lease"));
            }
            Timer.Sample sample = Timer.start(metrics);
            CommitResult result;
            try {
                result = receiver.commit(lease, oldRoot, newRoot, new TagSpec(request.tagName(), request.tagDescription()));
            } catch (ReceiverException e) {
                sample.stop(metrics.timer("cvmfs_gateway_commit_duration", "outcome", "failed"));
                LOG.warnf("commit failed: path=%s key_id=%s old_root=%s new_root=%s reason=%s", lease.path(),
                        lease.keyId(), oldRoot, newRoot, e.getMessage());
                return outcome("failed", GatewayReply.error(e.getMessage()));
            } catch (RuntimeException e) {
                // a receiver bug: answered as upstream reports an exception inside its receiver
                sample.stop(metrics.timer("cvmfs_gateway_commit_duration", "outcome", "failed"));
                LOG.errorf(e, "commit failed: path=%s key_id=%s old_root=%s new_root=%s", lease.path(), lease.keyId(),
                        oldRoot, newRoot);
                return outcome("failed", GatewayReply.error("runtime error: " + e));
            }
            sample.stop(metrics.timer("cvmfs_gateway_commit_duration", "outcome", "ok"));
            leases.complete(lease);
            notifier.published(lease.repository());
            LOG.infof("commit published: path=%s key_id=%s revision=%d old_root=%s new_root=%s tag=%s",
                    lease.path(), lease.keyId(), result.finalRevision(), oldRoot, newRoot, request.tagName());
            return outcome("ok", GatewayReply.committed(result.finalRevision()));
        } finally {
            lock.unlock();
        }
    }

    private GatewayReply outcome(String kind, GatewayReply reply) {
        metrics.counter("cvmfs_gateway_commits", "outcome", kind).increment();
        return reply;
    }

    private static ContentHash catalogHash(String field, String text) {
        ContentHash hash;
        try {
            hash = ContentHash.parseSuffixed(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("invalid " + field + " '" + clip(text) + "': " + e.getMessage());
        }
        if (hash.suffix() != ObjectSuffix.CATALOG) {
            throw new IllegalArgumentException("invalid " + field + " '" + clip(text)
                    + "': a root catalog hash ends in C");
        }
        return hash;
    }

    private static String clip(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "..." : s;
    }
}
