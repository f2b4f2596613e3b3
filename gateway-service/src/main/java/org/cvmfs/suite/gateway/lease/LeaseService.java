package org.cvmfs.suite.gateway.lease;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.repo.Repository;
import org.cvmfs.suite.gateway.repo.LeaseAndCommitLocks;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.jboss.logging.Logger;

/**
 * Upstream's lease rules: who may lease what, conflicts, expiry after {@code max_lease_time}.
 * Leases live in the {@link LeaseStore}; a repository's conflict check and insertion happen
 * under that repository's lease lock only.
 */
@Singleton
public class LeaseService {
    /** Highest gateway protocol version spoken; clients' versions are capped to it. */
    public static final int MAX_API_VERSION = 3;
    public static final int MIN_API_VERSION = 2;
    private static final Logger LOG = Logger.getLogger(LeaseService.class);

    private final LeaseStore store;
    private final RepositoryRegistry repositories;
    private final LeaseAndCommitLocks locks;
    private final Clock clock;
    private final Duration maxLeaseTime;
    private final MeterRegistry metrics;

    @Inject
    public LeaseService(GatewaySettings settings, RepositoryRegistry repositories, LeaseAndCommitLocks locks, Clock clock,
                        MeterRegistry metrics) {
        this.store = LeaseStore.open(settings.user().workDir());
        this.repositories = repositories;
        this.locks = locks;
        this.clock = clock;
        this.maxLeaseTime = settings.user().maxLeaseTime();
        this.metrics = metrics;
        metrics.gauge("cvmfs_gateway_leases_stored", store, LeaseStore::count);
    }

    @PreDestroy
    public void close() {
        store.close();
    }

    public LeaseStore store() {
        return store;
    }

    /**
     * Grants a lease unless upstream would refuse it: unknown or disabled repository, key not
     * registered for it or restricted to another path, or an unexpired overlapping lease.
     */
    public AcquireOutcome acquire(String keyId, LeasePath path, int protocolVersion, String hostname) {
        long start = System.nanoTime();
        AcquireOutcome outcome = decide(keyId, path, protocolVersion, hostname);
        String kind = outcome instanceof AcquireOutcome.Granted ? "granted"
                : outcome instanceof AcquireOutcome.Busy ? "busy" : "refused";
        metrics.timer("cvmfs_gateway_lease_acquire_duration", "outcome", kind)
                .record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        return outcome;
    }

    private AcquireOutcome decide(String keyId, LeasePath path, int protocolVersion, String hostname) {
        Optional<Repository> repo = repositories.find(path.repository());
        if (repo.isEmpty()) {
            return new AcquireOutcome.Refused("repository not found: " + path.repository());
        }
        if (!repositories.isEnabled(path.repository())) {
            return new AcquireOutcome.Refused("repo_disabled");
        }
        String keyPath = repo.get().keyPaths().get(keyId);
        if (keyPath == null) {
            LOG.infof("lease refused: path=%s key_id=%s reason=key not registered for the repository", path, keyId);
            return new AcquireOutcome.Refused("authorization error: invalid_key");
        }
        if (!path.permittedBy(keyPath)) {
            LOG.infof("lease refused: path=%s key_id=%s reason=key restricted to %s", path, keyId, keyPath);
            return new AcquireOutcome.Refused("authorization error: invalid_path");
        }
        ReentrantLock lock = locks.leasing(path.repository());
        lock.lock();
        try {
            Instant now = clock.instant();
            for (Lease held : store.inRepository(path.repository())) {
                if (!held.isExpired(now) && held.path().conflictsWith(path)) {
                    LOG.debugf("lease busy: path=%s key_id=%s held_by=%s", path, keyId, held.path());
                    return new AcquireOutcome.Busy(held, held.remaining(now));
                }
            }
            int purged = store.deleteExpired(now);
            if (purged > 0) {
                LOG.infof("purged %d expired lease(s)", purged);
            }
            Lease lease = new Lease(LeaseToken.generate(), path, keyId,
                    now.plus(maxLeaseTime).truncatedTo(ChronoUnit.MILLIS), protocolVersion, hostname);
            store.insert(lease);
            LOG.infof("lease acquired: path=%s key_id=%s hostname=%s expires=%s", path, keyId, hostname,
                    lease.expiration());
            return new AcquireOutcome.Granted(lease);
        } finally {
            lock.unlock();
        }
    }

    /** Unexpired leases. */
    public List<Lease> active() {
        Instant now = clock.instant();
        return store.all().stream().filter(l -> !l.isExpired(now)).toList();
    }

    /** The lease if it exists and has not expired: what payloads and commits need. */
    public Optional<Lease> active(String token) {
        Instant now = clock.instant();
        return store.find(token).filter(l -> !l.isExpired(now));
    }

    /**
     * Cancels a lease, even one expired but not yet purged; false if unknown. Taken under the
     * repository's commit lock: a drop that arrives while the lease's commit runs waits for it,
     * and then finds the lease gone (the commit won, the drop answers "invalid lease"); a drop
     * that takes the lock first wins, and the commit waiting behind it finds no lease.
     */
    public boolean drop(String token) {
        Optional<Lease> lease = store.find(token);
        if (lease.isEmpty()) {
            return false;
        }
        ReentrantLock lock = locks.committing(lease.get().repository());
        lock.lock();
        try {
            boolean dropped = store.delete(token);
            if (dropped) {
                metrics.counter("cvmfs_gateway_leases_dropped").increment();
                LOG.infof("lease dropped: path=%s key_id=%s", lease.get().path(), lease.get().keyId());
            }
            return dropped;
        } finally {
            lock.unlock();
        }
    }

    /** Ends a lease whose change has been published. */
    public void complete(Lease lease) {
        store.delete(lease.token());
    }

    /**
     * Admin cancel: every lease of {@code repository}, expired or not, whose subpath starts
     * with {@code subpathPrefix} in SQL {@code LIKE} terms, as upstream. Returns how many. Under
     * the commit lock, like {@link #drop}.
     */
    public int cancelByPrefix(String repository, String subpathPrefix) {
        ReentrantLock lock = locks.committing(repository);
        lock.lock();
        try {
            List<Lease> doomed = store.inRepository(repository).stream()
                    .filter(l -> LeasePath.likePrefix(l.path().subpath(), subpathPrefix))
                    .toList();
            int n = store.deleteAll(doomed);
            doomed.forEach(l -> LOG.infof("lease cancelled by admin: path=%s key_id=%s", l.path(), l.keyId()));
            return n;
        } finally {
            lock.unlock();
        }
    }

    public void addStatistics(Lease lease, PublishStatistics statistics) {
        store.addStatistics(lease.token(), statistics);
    }

    public PublishStatistics statistics(Lease lease) {
        return store.statistics(lease.token());
    }

    /** When the lease was granted (its expiry minus the lease time). */
    public Instant acquiredAt(Lease lease) {
        return lease.expiration().minus(maxLeaseTime);
    }
}
