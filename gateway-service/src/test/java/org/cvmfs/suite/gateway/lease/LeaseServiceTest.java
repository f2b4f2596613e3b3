package org.cvmfs.suite.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.cvmfs.suite.gateway.commit.CommitService;
import org.cvmfs.suite.gateway.commit.PublicationNotifier;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.repo.LeaseAndCommitLocks;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.RecordingReceiver;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Lease rules without HTTP, including what HTTP tests cannot do: restart the gateway. */
class LeaseServiceTest {
    static final CommitRequest COMMIT = new CommitRequest("36648c0a923fdaca587f5440b541360c2d501ce3C",
            "eef5f225445aef7083aad5959208c27c80710da8C", "generic-x", 0, "");

    /** One host for the class (building one costs seconds); each test gets an empty work directory. */
    static TestHost host;
    static GatewaySettings settings;
    MutableClock clock = new MutableClock();
    List<LeaseService> opened = new ArrayList<>();
    /** Of the last {@link #start()}. */
    RepositoryRegistry repositories;
    LeaseAndCommitLocks locks;
    SimpleMeterRegistry metrics;

    @BeforeAll
    static void host() {
        host = TestHost.create();
        settings = host.settings();
    }

    @AfterAll
    static void deleteHost() {
        host.delete();
    }

    @AfterEach
    void close() {
        opened.forEach(LeaseService::close);
        DirectoryTree.delete(settings.user().workDir());
    }

    /** A gateway process's lease service; a second one on the same work dir is a restart. */
    LeaseService start() {
        repositories = new RepositoryRegistry(settings);
        locks = new LeaseAndCommitLocks();
        metrics = new SimpleMeterRegistry();
        LeaseService s = new LeaseService(settings, repositories, locks, clock, metrics);
        opened.add(s);
        return s;
    }

    @Test
    void aLeaseAcquiredBeforeARestartCanBeCommittedAfterIt() {
        LeaseService before = start();
        Lease lease = granted(before.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        before.addStatistics(lease, new PublishStatistics(3, 1, 1, 300, 100));
        before.close();
        opened.remove(before);

        LeaseService after = start();
        assertEquals(lease, after.active(lease.token()).orElseThrow());
        assertEquals(new PublishStatistics(3, 1, 1, 300, 100), after.statistics(lease));
        assertInstanceOf(AcquireOutcome.Busy.class, after.acquire("key1", LeasePath.parse("capture.test/sw/x"), 2, "vm"));
        RecordingReceiver receiver = new RecordingReceiver();
        CommitService commits = new CommitService(after, new LeaseAndCommitLocks(), receiver, new SimpleMeterRegistry(),
                new PublicationNotifier(settings, new SimpleMeterRegistry()));
        assertEquals(GatewayReply.committed(2), commits.commit(lease.token(), COMMIT));
        assertTrue(after.active(lease.token()).isEmpty());
        assertEquals("capture.test/sw", receiver.calls().get(0).lease().path().toWire());
    }

    @Test
    void expiryFollowsTheLeaseTime() {
        LeaseService s = start();
        Lease lease = granted(s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        assertEquals(Duration.ofHours(2), Duration.between(clock.instant(), lease.expiration()));
        clock.advance(Duration.ofHours(2));
        assertTrue(s.active(lease.token()).isPresent(), "expiry is exclusive, as upstream");
        clock.advance(Duration.ofMillis(1));
        assertTrue(s.active(lease.token()).isEmpty());
        assertTrue(s.drop(lease.token()), "an expired lease not yet purged can still be dropped");
        Lease again = granted(s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        clock.advance(Duration.ofHours(3));
        granted(s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        assertTrue(s.store().find(again.token()).isEmpty(), "purged by the acquisition");
    }

    @Test
    void concurrentAcquisitionsOfOnePathGrantExactlyOne() throws Exception {
        LeaseService s = start();
        List<AcquireOutcome> outcomes = race(32, i -> s.acquire("key1", LeasePath.parse("capture.test/sw/" + (i % 2 == 0 ? "" : "sub")), 2, "vm"));
        assertEquals(1, outcomes.stream().filter(o -> o instanceof AcquireOutcome.Granted).count());
        assertEquals(31, outcomes.stream().filter(o -> o instanceof AcquireOutcome.Busy).count());
    }

    @Test
    void concurrentAcquisitionsOfDisjointPathsAllSucceed() throws Exception {
        LeaseService s = start();
        List<AcquireOutcome> outcomes = race(32, i -> s.acquire("key1",
                LeasePath.parse((i % 2 == 0 ? "capture.test" : "other.test") + "/p" + i + "/x"), 2, "vm"));
        assertTrue(outcomes.stream().allMatch(o -> o instanceof AcquireOutcome.Granted), outcomes.toString());
        assertEquals(32, s.active().size());
    }

    @Test
    void refusalsCarryUpstreamsReasons() {
        LeaseService s = start();
        assertEquals(new AcquireOutcome.Refused("repository not found: nope.test"),
                s.acquire("key1", LeasePath.parse("nope.test/x"), 2, "vm"));
        assertEquals(new AcquireOutcome.Refused("authorization error: invalid_key"),
                s.acquire("key2", LeasePath.parse("capture.test/x"), 2, "vm"));
        assertEquals(new AcquireOutcome.Refused("authorization error: invalid_path"),
                s.acquire("key2", LeasePath.parse("other.test/x"), 2, "vm"));
    }

    @Test
    void aDisabledRepositoryGrantsNoNewLease() {
        LeaseService s = start();
        repositories.setEnabled("capture.test", false);
        assertEquals(new AcquireOutcome.Refused("repo_disabled"), s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        repositories.setEnabled("capture.test", true);
        granted(s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
    }

    @Test
    void aBusyAnswerNamesTheHolderAndItsTimeLeft() {
        LeaseService s = start();
        java.time.Instant grantedAt = clock.instant();
        Lease held = granted(s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        assertEquals("capture.test", held.repository());
        assertEquals(grantedAt, s.acquiredAt(held));
        clock.advance(Duration.ofMinutes(10));
        assertEquals(new AcquireOutcome.Busy(held, Duration.ofMinutes(110)),
                s.acquire("key1", LeasePath.parse("capture.test/sw/x"), 2, "vm"));
    }

    @Test
    void eachAcquisitionIsTimedUnderItsOutcome() {
        LeaseService s = start();
        long before = System.nanoTime();
        granted(s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        assertInstanceOf(AcquireOutcome.Busy.class, s.acquire("key1", LeasePath.parse("capture.test/sw/x"), 2, "vm"));
        assertInstanceOf(AcquireOutcome.Refused.class, s.acquire("key2", LeasePath.parse("capture.test/x"), 2, "vm"));
        assertInstanceOf(AcquireOutcome.Refused.class, s.acquire("key1", LeasePath.parse("nope.test/x"), 2, "vm"));
        long elapsed = System.nanoTime() - before;
        Map<String, Long> counts = Map.of("granted", 1L, "busy", 1L, "refused", 2L);
        for (String outcome : counts.keySet()) {
            Timer timer = metrics.find("cvmfs_gateway_lease_acquire_duration").tag("outcome", outcome).timer();
            assertEquals(counts.get(outcome), timer.count(), outcome);
            assertTrue(timer.totalTime(TimeUnit.NANOSECONDS) <= elapsed, outcome + ": no longer than the four calls");
        }
        assertEquals(1.0, metrics.find("cvmfs_gateway_leases_stored").gauge().value());
    }

    @Test
    void onlyUnexpiredLeasesAreActive() {
        LeaseService s = start();
        granted(s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        clock.advance(Duration.ofHours(1));
        Lease later = granted(s.acquire("key1", LeasePath.parse("capture.test/data"), 2, "vm"));
        clock.advance(Duration.ofHours(1).plusMillis(1));
        assertEquals(List.of(later), s.active());
        assertEquals(2, s.store().count(), "the expired one lingers until the next acquisition");
    }

    @Test
    void aDropEndsTheLeaseOnceAndReleasesTheCommitLock() {
        LeaseService s = start();
        Lease lease = granted(s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        assertFalse(s.drop("NOSUCHTOKEN"));
        assertTrue(s.drop(lease.token()));
        assertFalse(s.drop(lease.token()));
        assertTrue(s.active(lease.token()).isEmpty());
        assertEquals(1.0, metrics.counter("cvmfs_gateway_leases_dropped").count());
        assertFalse(locks.committing("capture.test").isLocked());
    }

    /** The documented race: a drop waiting behind the lease's commit finds the lease gone and says so. */
    @Test
    void aDropThatWaitedForTheCommitFindsNothingToDrop() throws Exception {
        LeaseService s = start();
        Lease lease = granted(s.acquire("key1", LeasePath.parse("capture.test/sw"), 2, "vm"));
        ReentrantLock commit = locks.committing("capture.test");
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<Boolean> drop;
            commit.lock();
            try {
                drop = pool.submit(() -> s.drop(lease.token()));
                Await.until(commit::hasQueuedThreads, () -> "the drop waits for the commit lock");
                s.complete(lease);
            } finally {
                commit.unlock();
            }
            assertFalse(drop.get());
        } finally {
            pool.shutdownNow();
        }
        assertEquals(0.0, metrics.counter("cvmfs_gateway_leases_dropped").count());
        assertFalse(commit.isLocked());
    }

    @Test
    void anAdminCancelTakesEveryLeaseUnderThePrefixExpiredOrNot() {
        LeaseService s = start();
        granted(s.acquire("key1", LeasePath.parse("capture.test/sw/a"), 2, "vm"));
        Lease data = granted(s.acquire("key1", LeasePath.parse("capture.test/data"), 2, "vm"));
        Lease other = granted(s.acquire("key1", LeasePath.parse("other.test/sw/a"), 2, "vm"));
        clock.advance(Duration.ofHours(3));
        assertEquals(0, s.cancelByPrefix("capture.test", "/nothing"));
        assertEquals(1, s.cancelByPrefix("capture.test", "/sw"));
        assertEquals(List.of(data, other), s.store().all());
        assertFalse(locks.committing("capture.test").isLocked());
    }

    @Test
    void closingTheServiceClosesItsDatabase() {
        LeaseService s = start();
        LeaseStore store = s.store();
        assertTrue(store.isHealthy());
        s.close();
        opened.remove(s);
        assertFalse(store.isHealthy());
    }

    private interface Attempt {
        AcquireOutcome run(int i);
    }

    private static List<AcquireOutcome> race(int n, Attempt attempt) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<AcquireOutcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int index = i;
                Callable<AcquireOutcome> c = () -> {
                    start.await();
                    return attempt.run(index);
                };
                futures.add(pool.submit(c));
            }
            start.countDown();
            List<AcquireOutcome> outcomes = new ArrayList<>();
            for (Future<AcquireOutcome> f : futures) {
                outcomes.add(f.get());
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Lease granted(AcquireOutcome outcome) {
        return assertInstanceOf(AcquireOutcome.Granted.class, outcome).lease();
    }
}
