package org.cvmfs.suite.gateway.repo;

import jakarta.inject.Singleton;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Per-repository locks, never one global lock: leasing on one repository does not wait for
 * another, and a commit holds only its own repository's commit lock, so listings, leases and
 * payloads carry on while it runs (upstream held one mutex across everything, cvmfs#3460).
 * These are the gateway's in-process locks on its own decisions; the head itself (manifest,
 * whitelist, reflog) is guarded across processes by common-protocol's {@code RepositoryLock},
 * which writing a new head takes ({@code HeadPublisher}), inside {@link #committing}.
 */
@Singleton
public final class LeaseAndCommitLocks {
    private final ConcurrentHashMap<String, ReentrantLock> leasing = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ReentrantLock> committing = new ConcurrentHashMap<>();

    /** Makes a lease's conflict check and its creation one step. */
    public ReentrantLock leasing(String repository) {
        return leasing.computeIfAbsent(repository, r -> new ReentrantLock());
    }

    /** Serialises what rewrites a repository's head: commits and garbage collection. */
    public ReentrantLock committing(String repository) {
        return committing.computeIfAbsent(repository, r -> new ReentrantLock(true));
    }
}
