package org.cvmfs.suite.gateway.commit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.lease.AcquireOutcome;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.repo.LeaseAndCommitLocks;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.NotifyCapture;
import org.cvmfs.suite.gateway.testing.RecordingReceiver;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The commit service's decisions without HTTP or Quarkus (so mutation testing can run it per
 * mutant): which leases may commit, how malformed root hashes are refused, what a receiver
 * failure leaves behind, what the commit counters say, that only a successful commit is announced
 * to the notification service, and that the lease is re-read under the repository's commit lock.
 */
class CommitServiceTest {
    static final String OLD_ROOT = "36648c0a923fdaca587f5440b541360c2d501ce3C";
    static final String NEW_ROOT = "eef5f225445aef7083aad5959208c27c80710da8C";

    TestHost host;
    GatewaySettings settings;
    final MutableClock clock = new MutableClock();
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();
    final LeaseAndCommitLocks locks = new LeaseAndCommitLocks();
    final RecordingReceiver receiver = new RecordingReceiver();
    LeaseService leases;
    CommitService commits;

    @BeforeEach
    void start() {
        host = TestHost.create();
        System.setProperty(HostPaths.PREFIX_PROPERTY, host.prefix().toString());
        try {
            settings = GatewaySettings.load(HostPaths.fromEnvironment(), Optional.of(host.userConfig().toString()), Map.of());
        } finally {
            System.clearProperty(HostPaths.PREFIX_PROPERTY);
        }
        leases = new LeaseService(settings, new RepositoryRegistry(settings), locks, clock, metrics);
        commits = new CommitService(leases, locks, receiver, metrics, new PublicationNotifier(settings, metrics));
    }

    @AfterEach
    void stop() {
        leases.close();
        host.delete();
    }

    Lease lease(String path) {
        return assertInstanceOf(AcquireOutcome.Granted.class, leases.acquire("key1", LeasePath.parse(path), 2, "vm")).lease();
    }

    static CommitRequest request(String oldRoot, String newRoot, String tag, String description) {
        return new CommitRequest(oldRoot, newRoot, tag, 0, description);
    }

    double commitsCounted(String outcome) {
        return metrics.counter("cvmfs_gateway_commits", "outcome", outcome).count();
    }

    long durationsTimed(String outcome) {
        return metrics.timer("cvmfs_gateway_commit_duration", "outcome", outcome).count();
    }

    @Test
    void aCommitRunsTheReceiverWithTheParsedRootsAndTagThenEndsTheLease() {
        Lease lease = lease("capture.test/sw");
        assertEquals(GatewayReply.committed(2), commits.commit(lease.token(), request(OLD_ROOT, NEW_ROOT, "v1", "first")));
        RecordingReceiver.Call call = receiver.calls().get(0);
        assertEquals(lease, call.lease());
        assertEquals(OLD_ROOT, call.oldRoot().toSuffixedText());
        assertEquals(NEW_ROOT, call.newRoot().toSuffixedText());
        assertEquals("v1", call.tag().name());
        assertEquals("first", call.tag().description());
        assertTrue(leases.active(lease.token()).isEmpty(), "a committed lease ends");
        assertEquals(1.0, commitsCounted("ok"));
        assertEquals(1, durationsTimed("ok"));
        assertEquals(0.0, commitsCounted("failed"));
        assertEquals(GatewayReply.error("invalid lease"), commits.commit(lease.token(), request(OLD_ROOT, NEW_ROOT, "", "")),
                "the lease cannot commit twice");
        assertEquals(1, receiver.calls().size());
    }

    @Test
    void aSuccessfulCommitAnnouncesTheRepositoryAndAFailedOneDoesNot() throws Exception {
        BlockingQueue<byte[]> announced = new LinkedBlockingQueue<>();
        HttpServer notify = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 4);
        notify.createContext(NotifyCapture.PUBLISH_PATH, exchange -> {
            announced.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        notify.start();
        System.setProperty(HostPaths.PREFIX_PROPERTY, host.prefix().toString());
        PublicationNotifier notifier;
        try {
            notifier = new PublicationNotifier(GatewaySettings.load(HostPaths.fromEnvironment(), Optional.of(host.userConfig().toString()),
                    Map.of("notify_url", "http://127.0.0.1:" + notify.getAddress().getPort() + "/api/v1")), metrics);
        } finally {
            System.clearProperty(HostPaths.PREFIX_PROPERTY);
        }
        try {
            CommitService announcing = new CommitService(leases, locks, receiver, metrics, notifier);
            Lease lease = lease("capture.test/sw");
            receiver.failNext("merge_error: refused");
            announcing.commit(lease.token(), request(OLD_ROOT, NEW_ROOT, "", ""));
            assertEquals(GatewayReply.committed(2), announcing.commit(lease.token(), request(OLD_ROOT, NEW_ROOT, "", "")));
            assertEquals(TestHost.REPO, ActivityMessage.parse(announced.poll(60, TimeUnit.SECONDS)).repository());
            notifier.stop();
            assertNull(announced.poll(0, TimeUnit.SECONDS), "the failed commit announced nothing");
        } finally {
            notify.stop(0);
        }
    }

    @Test
    void anUnknownOrExpiredLeaseIsInvalidAndNothingRuns() {
        assertEquals(GatewayReply.error("invalid lease"), commits.commit("no-such-token", request(OLD_ROOT, NEW_ROOT, "", "")));
        Lease lease = lease("capture.test/sw");
        clock.advance(settings.user().maxLeaseTime().plusMillis(1));
        assertEquals(GatewayReply.error("invalid lease"), commits.commit(lease.token(), request(OLD_ROOT, NEW_ROOT, "", "")));
        assertEquals(List.of(), receiver.calls());
        assertEquals(2.0, commitsCounted("invalid_lease"));
        assertEquals(0.0, commitsCounted("ok"));
    }

    @Test
    void malformedRootHashesAreRefusedByFieldAndTheLeaseStays() {
        Lease lease = lease("capture.test/sw");
        assertEquals(GatewayReply.error("invalid old_root_hash 'xyz': " + parseError("xyz")),
                commits.commit(lease.token(), request("xyz", NEW_ROOT, "", "")));
        assertEquals(GatewayReply.error("invalid new_root_hash '" + NEW_ROOT.substring(0, 40) + "': a root catalog hash ends in C"),
                commits.commit(lease.token(), request(OLD_ROOT, NEW_ROOT.substring(0, 40), "", "")));
        String longText = "a".repeat(81);
        GatewayReply clipped = commits.commit(lease.token(), request(longText, NEW_ROOT, "", ""));
        assertEquals(GatewayReply.error("invalid old_root_hash '" + "a".repeat(80) + "...': " + parseError(longText)), clipped);
        String eighty = "a".repeat(80);
        assertEquals(GatewayReply.error("invalid old_root_hash '" + eighty + "': " + parseError(eighty)),
                commits.commit(lease.token(), request(eighty, NEW_ROOT, "", "")), "80 characters are quoted whole");
        assertEquals(List.of(), receiver.calls());
        assertEquals(4.0, commitsCounted("refused"));
        assertTrue(leases.active(lease.token()).isPresent(), "a refused commit leaves the lease to retry");
    }

    private static String parseError(String text) {
        try {
            org.cvmfs.suite.protocol.hash.ContentHash.parseSuffixed(text);
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
        throw new AssertionError(text + " parsed");
    }

    @Test
    void aReceiverFailureIsAnsweredWithItsReasonAndTheLeaseCanCommitAgain() {
        Lease lease = lease("capture.test/sw");
        receiver.failNext("merge_error: nothing to merge");
        assertEquals(GatewayReply.error("merge_error: nothing to merge"),
                commits.commit(lease.token(), request(OLD_ROOT, NEW_ROOT, "", "")));
        assertTrue(leases.active(lease.token()).isPresent(), "a failed commit keeps the lease");
        assertEquals(1.0, commitsCounted("failed"));
        assertEquals(1, durationsTimed("failed"));
        assertEquals(0, durationsTimed("ok"));

        receiver.failNext("bug:broken receiver");
        assertEquals(GatewayReply.error("runtime error: java.lang.IllegalStateException: broken receiver"),
                commits.commit(lease.token(), request(OLD_ROOT, NEW_ROOT, "", "")));
        assertTrue(leases.active(lease.token()).isPresent(), "a receiver bug keeps the lease too");
        assertEquals(2.0, commitsCounted("failed"));
        assertEquals(2, durationsTimed("failed"));

        assertEquals(GatewayReply.committed(2), commits.commit(lease.token(), request(OLD_ROOT, NEW_ROOT, "", "")));
        assertEquals(1.0, commitsCounted("ok"));
        assertTrue(locks.committing(TestHost.REPO).tryLock(), "the commit lock is free after failures and success");
    }

    @Test
    void aLeaseDroppedWhileItsCommitWaitedForTheLockNeverCommits() throws Exception {
        Lease lease = lease("capture.test/sw");
        ReentrantLock lock = locks.committing(TestHost.REPO);
        lock.lock();
        CompletableFuture<GatewayReply> waiting;
        try {
            waiting = CompletableFuture.supplyAsync(() -> commits.commit(lease.token(), request(OLD_ROOT, NEW_ROOT, "", "")));
            Await.until(lock::hasQueuedThreads, () -> "the commit waits for the repository's lock");
            assertTrue(leases.drop(lease.token()), "dropped while its commit waits");
        } finally {
            lock.unlock();
        }
        assertEquals(GatewayReply.error("invalid lease"), waiting.get(60, TimeUnit.SECONDS));
        assertEquals(List.of(), receiver.calls());
        assertEquals(1.0, commitsCounted("invalid_lease"));
    }

    @Test
    void commitsOfOneRepositoryRunOneAtATime() throws Exception {
        Lease a = lease("capture.test/a");
        Lease b = lease("capture.test/b");
        CountDownLatch entered = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        receiver.hold(entered, release);
        CompletableFuture<GatewayReply> first = CompletableFuture.supplyAsync(() -> commits.commit(a.token(), request(OLD_ROOT, NEW_ROOT, "", "")));
        Await.until(() -> entered.getCount() == 1, () -> "the first commit reaches the receiver");
        CompletableFuture<GatewayReply> second = CompletableFuture.supplyAsync(() -> commits.commit(b.token(), request(OLD_ROOT, NEW_ROOT, "", "")));
        Await.until(locks.committing(TestHost.REPO)::hasQueuedThreads, () -> "the second commit waits for the lock");
        assertEquals(1, receiver.calls().size());
        release.countDown();
        assertEquals(GatewayReply.committed(2), first.get(60, TimeUnit.SECONDS));
        assertEquals(GatewayReply.committed(3), second.get(60, TimeUnit.SECONDS));
        assertEquals(0, entered.getCount());
    }
}
