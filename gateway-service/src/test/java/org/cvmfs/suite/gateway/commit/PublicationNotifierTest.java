package org.cvmfs.suite.gateway.commit;

import org.cvmfs.suite.gateway.testing.ResetsReceivers;
import org.cvmfs.suite.gateway.receiver.Backend;
import static org.cvmfs.suite.gateway.testing.TestHost.KEY1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.repo.LeaseAndCommitLocks;
import org.cvmfs.suite.gateway.testing.Published;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.protocol.testing.FreePorts;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.NotifyCapture;
import org.cvmfs.suite.gateway.testing.ReceiverSwitch;
import org.cvmfs.suite.gateway.testing.RepositoryStates;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.gateway.testing.TestPublisher;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every commit is announced to {@code notify_url}; the notification service cannot hurt a commit. */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
@QuarkusTestResource(NotifyCapture.class)
class PublicationNotifierTest implements ResetsReceivers {
    @Inject
    @Backend(GatewayUserConfig.BACKEND_NATIVE)
    ReceiverSwitch receivers;
    @Inject
    LeaseService leases;
    @Inject
    MutableClock clock;
    @Inject
    GatewaySettings settings;
    @Inject
    MeterRegistry metrics;
    @Inject
    LeaseAndCommitLocks locks;
    @Inject
    @Backend(GatewayUserConfig.BACKEND_NATIVE)
    NativeReceiver nativeReceiver;

    @TestHTTPResource("/")
    URI gateway;
    @TempDir
    Path work;

    RepositoryLayout layout;

    @BeforeEach
    void freshRepository() {
        leases.cancelByPrefix(TestHost.REPO, "/");
        receivers.useNative();
        layout = RepositoryStates.reset("before");
        NotifyCapture.received().clear();
        NotifyCapture.answerWith(200);
    }

    @AfterEach
    void restore() {
        RepositoryStates.restore();
        receivers.useRecording();
        NotifyCapture.answerWith(200);
    }

    private GatewayReply publish(String file) {
        clock.advance(Duration.ofSeconds(1));
        try (TestPublisher p = TestPublisher.start(gateway, KEY1, TestHost.REPO, work)) {
            String lease = TestPublisher.requireOk(p.acquire("capture.test/alpha")).sessionToken();
            p.directory("/alpha").file("/alpha/" + file, file);
            return p.publish(lease, clock);
        }
    }

    @Test
    void eachCommitAnnouncesTheNewManifest() throws Exception {
        assertEquals(2L, TestPublisher.requireOk(publish("one.txt")).finalRevision());
        byte[] body = NotifyCapture.received().poll(30, TimeUnit.SECONDS);
        assertNotNull(body, "no activity message arrived");
        ActivityMessage message = ActivityMessage.parse(body);
        assertEquals(TestHost.REPO, message.repository());
        assertArrayEquals(Files.readAllBytes(layout.manifest()), message.manifest());
    }

    @Test
    void aRefusingNotificationServiceNeverFailsTheCommit() throws Exception {
        NotifyCapture.answerWith(500);
        double refusedBefore = metrics.counter("cvmfs_gateway_notifications", "outcome", "refused").count();
        assertEquals(2L, TestPublisher.requireOk(publish("one.txt")).finalRevision());
        assertNotNull(NotifyCapture.received().poll(30, TimeUnit.SECONDS), "the publish was attempted");
        awaitCount(metrics, "refused", refusedBefore + 1);
    }

    /**
     * A real commit (payloads through the running gateway, merged and published by the native
     * receiver) by a commit service whose notification service does not listen: the commit
     * publishes revision 2 and answers ok; the failed announcement is only counted and logged.
     */
    @Test
    void anUnreachableNotificationServiceCostsAWarningOnly() throws Exception {
        int closedPort = FreePorts.next();
        GatewayUserConfig u = settings.user();
        GatewaySettings unreachable = new GatewaySettings(settings.host(), new GatewayUserConfig(u.accessConfigFile(),
                u.port(), u.maxLeaseTime(), u.numReceivers(), u.receiverPath(), u.workDir(), u.logLevel(),
                u.logTimestamps(), u.receiverBackend(), Optional.of(URI.create("http://127.0.0.1:" + closedPort + "/")),
                u.idleTimeout(), u.maxConnections(), u.requireSignedLeaseRequests()),
                settings.access());
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        PublicationNotifier notifier = new PublicationNotifier(unreachable, own);
        CommitService commits = new CommitService(leases, locks, nativeReceiver, own, notifier);
        try (TestPublisher p = TestPublisher.start(gateway, KEY1, TestHost.REPO, work)) {
            String lease = TestPublisher.requireOk(p.acquire("capture.test/alpha")).sessionToken();
            p.directory("/alpha").file("/alpha/one.txt", "one");
            var catalogs = p.finish(clock);
            TestPublisher.requireOk(p.uploadData(lease));
            TestPublisher.requireOk(p.uploadCatalogs(lease));
            GatewayReply reply = commits.commit(lease, CommitRequest.of(p.base().rootCatalog(),
                    catalogs.rootHash(), "", ""));
            assertEquals(GatewayReply.committed(2), reply);
            awaitCount(own, "failed", 1);
        } finally {
            notifier.stop();
        }
        Published published = new Published(layout, work.resolve("scratch"));
        assertEquals(2, published.manifest().revision());
        assertTrue(published.lookup("/alpha/one.txt").isPresent());
        assertEquals(1.0, own.counter("cvmfs_gateway_commits", "outcome", "ok").count());
    }

    /** Waits (without a time assertion) until the sender thread has counted {@code expected} outcomes. */
    private static void awaitCount(MeterRegistry registry, String outcome, double expected) throws InterruptedException {
        Await.until(() -> registry.counter("cvmfs_gateway_notifications", "outcome", outcome).count() >= expected,
                () -> "no '" + outcome + "' notification was counted");
    }
}
