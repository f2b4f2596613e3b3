package org.cvmfs.suite.gateway.commit;

import org.cvmfs.suite.gateway.testing.ResetsReceivers;
import org.cvmfs.suite.gateway.receiver.Backend;
import static io.restassured.RestAssured.given;
import static org.cvmfs.suite.gateway.testing.TestHost.KEY1;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.repo.LeaseAndCommitLocks;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.Published;
import org.cvmfs.suite.gateway.testing.ReceiverSwitch;
import org.cvmfs.suite.gateway.testing.RepositoryStates;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.gateway.testing.TestPublisher;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Commits through the gateway with the native receiver, publishers reading the head from the
 * gateway's own {@code /cvmfs/REPO} serving: concurrent leases, refusals that must leave the
 * repository untouched, retries, conflicts and a restart in the middle of a lease.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class NativeCommitTest implements ResetsReceivers {
    static final String INVALID_LEASE = "{\"reason\":\"invalid lease\",\"status\":\"error\"}";

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

    @TestHTTPResource("/")
    URI gateway;
    @TempDir
    Path work;

    RepositoryLayout layout;
    Published published;

    @BeforeEach
    void freshRepository() {
        leases.cancelByPrefix(TestHost.REPO, "/");
        receivers.useNative();
        layout = RepositoryStates.reset("before");
        published = new Published(layout, work.resolve("scratch"));
    }

    @AfterEach
    void restore() {
        RepositoryStates.restore();
        receivers.useRecording();
    }

    private TestPublisher publisher() {
        // each publication gets its own generic tag second, as with a running clock
        clock.advance(Duration.ofSeconds(1));
        return TestPublisher.start(gateway, KEY1, TestHost.REPO, work);
    }

    private static String token(GatewayReply reply) {
        TestPublisher.requireOk(reply);
        return reply.sessionToken();
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void disjointLeasesCommitInEitherOrder(boolean betaFirst) {
        try (TestPublisher alpha = publisher(); TestPublisher beta = publisher()) {
            String alphaLease = token(alpha.acquire("capture.test/alpha"));
            String betaLease = token(beta.acquire("capture.test/beta"));
            alpha.directory("/alpha").file("/alpha/one.txt", "one\n");
            beta.directory("/beta").file("/beta/two.txt", "two\n");
            TestPublisher first = betaFirst ? beta : alpha;
            TestPublisher second = betaFirst ? alpha : beta;
            assertEquals(2L, TestPublisher.requireOk(first.publish(betaFirst ? betaLease : alphaLease, clock))
                    .finalRevision());
            clock.advance(Duration.ofSeconds(1));
            assertEquals(3L, TestPublisher.requireOk(second.publish(betaFirst ? alphaLease : betaLease, clock))
                    .finalRevision());
        }
        assertEquals(3, published.manifest().revision());
        assertEquals(4, published.lookup("/alpha/one.txt").orElseThrow().size());
        assertEquals(4, published.lookup("/beta/two.txt").orElseThrow().size());
        assertTrue(published.lookup("/new_repository").isPresent(), "what was outside both leases stays");
        CheckReport report = published.check(clock);
        assertTrue(report.passed(), report.faults().toString());
        assertEquals(0, leases.store().inRepository(TestHost.REPO).size(), "committed leases end");
        given().get("/q/metrics").then().statusCode(200)
                .body(containsString("cvmfs_gateway_commits_total{outcome=\"ok\"}"))
                .body(containsString("cvmfs_gateway_commit_duration_seconds_count{outcome=\"ok\"}"));
    }

    @Test
    void wholeRepositoryLease() {
        try (TestPublisher p = publisher()) {
            String lease = token(p.acquire("capture.test/"));
            p.remove("/new_repository").directory("/gamma").file("/gamma/three.txt", "three\n");
            assertEquals(2L, TestPublisher.requireOk(p.publish(lease, clock)).finalRevision());
        }
        assertTrue(published.lookup("/new_repository").isEmpty());
        assertTrue(published.lookup("/gamma/three.txt").isPresent());
        assertTrue(published.check(clock).passed());
    }

    @Test
    void changesOutsideTheLeaseAreNotApplied() {
        try (TestPublisher p = publisher()) {
            String lease = token(p.acquire("capture.test/alpha"));
            p.directory("/alpha").file("/alpha/in.txt", "in\n").directory("/elsewhere").remove("/new_repository");
            TestPublisher.requireOk(p.publish(lease, clock));
        }
        assertTrue(published.lookup("/alpha/in.txt").isPresent());
        assertTrue(published.lookup("/elsewhere").isEmpty(), "an addition outside the lease is ignored");
        assertTrue(published.lookup("/new_repository").isPresent(), "a removal outside the lease is ignored");
    }

    @Test
    void commitsOnDroppedUnknownOrExpiredLeasesChangeNothing() {
        try (TestPublisher p = publisher()) {
            String dropped = token(p.acquire("capture.test/alpha"));
            p.directory("/alpha").file("/alpha/one.txt", "one\n");
            CatalogCommit change = p.finish(clock);
            TestPublisher.requireOk(p.uploadData(dropped));
            TestPublisher.requireOk(p.uploadCatalogs(dropped));
            DirectorySnapshot before = DirectorySnapshot.of(layout.servedRoot());
            byte[] servedManifest = given().get("/cvmfs/capture.test/.cvmfspublished").asByteArray();

            TestPublisher.requireOk(p.client().drop(dropped));
            CommitRequest request = CommitRequest.of(p.base().rootCatalog(), change.rootHash(), "", "");
            assertEquals(INVALID_LEASE, p.client().commit(dropped, request).toWire());
            assertEquals(INVALID_LEASE, p.client().commit("A".repeat(52) + "====", request).toWire());

            String expiring = token(p.acquire("capture.test/alpha"));
            clock.advance(settings.user().maxLeaseTime().plusSeconds(1));
            assertEquals(INVALID_LEASE, p.client().commit(expiring, request).toWire());

            assertEquals(before, DirectorySnapshot.of(layout.servedRoot()));
            assertEquals(new String(servedManifest),
                    given().get("/cvmfs/capture.test/.cvmfspublished").asString());
        }
    }

    @Test
    void aFailedCommitIsRetriedOnTheSameLeaseOnceTheMissingPayloadArrived() {
        try (TestPublisher p = publisher()) {
            String lease = token(p.acquire("capture.test/alpha"));
            p.directory("/alpha").file("/alpha/one.txt", "one\n");
            p.finish(clock);
            TestPublisher.requireOk(p.uploadData(lease));
            DirectorySnapshot before = DirectorySnapshot.of(layout.servedRoot());
            GatewayReply failed = p.commit(lease, "generic-2026-11-25T05:00:00Z");
            assertEquals("error", failed.status());
            assertTrue(failed.reason().startsWith("merge_error: new_root_hash "), failed.reason());
            assertEquals(before, DirectorySnapshot.of(layout.servedRoot()));
            given().get("/api/v1/leases/" + lease).then().statusCode(200);

            TestPublisher.requireOk(p.uploadCatalogs(lease));
            assertEquals(2L, TestPublisher.requireOk(p.commit(lease, "generic-2026-11-25T05:00:00Z")).finalRevision());
        }
        assertTrue(published.lookup("/alpha/one.txt").isPresent());
    }

    @Test
    void removingWhatTheHeadNoLongerHasIsAConflict() {
        try (TestPublisher p = publisher()) {
            String lease = token(p.acquire("capture.test/alpha"));
            p.directory("/alpha").file("/alpha/x.txt", "x\n").file("/alpha/y.txt", "y\n");
            TestPublisher.requireOk(p.publish(lease, clock));
        }
        HttpRepositorySource served = new HttpRepositorySource(gateway.resolve("/cvmfs/capture.test"));
        Manifest revision2 = published.manifest();
        try (TestPublisher p = publisher()) {
            String lease = token(p.acquire("capture.test/alpha"));
            p.remove("/alpha/x.txt");
            TestPublisher.requireOk(p.publish(lease, clock));
        }
        // a publisher still working on revision 2 removes the same file
        clock.advance(Duration.ofSeconds(1));
        try (TestPublisher stale = TestPublisher.startFrom(gateway, KEY1, served, revision2, work)) {
            String lease = token(stale.acquire("capture.test/alpha"));
            stale.remove("/alpha/x.txt").file("/alpha/z.txt", "z\n");
            stale.finish(clock);
            TestPublisher.requireOk(stale.uploadData(lease));
            TestPublisher.requireOk(stale.uploadCatalogs(lease));
            DirectorySnapshot uploaded = DirectorySnapshot.of(layout.servedRoot());
            GatewayReply refused = stale.commit(lease, "");
            assertEquals("error", refused.status());
            assertTrue(refused.reason().startsWith("merge_error: ") && refused.reason().contains("/alpha/x.txt"),
                    refused.reason());
            assertEquals(uploaded, DirectorySnapshot.of(layout.servedRoot()), "nothing is written for a conflict");
        }
        assertEquals(3, published.manifest().revision());
        assertTrue(published.lookup("/alpha/z.txt").isEmpty());
        assertTrue(published.lookup("/alpha/y.txt").isPresent());
    }

    /**
     * A restart keeps nothing in memory: a lease acquired and fed before it is committed by a
     * gateway whose lease service, registry, locks and receiver are built anew from disk.
     */
    @Test
    void aLeaseSurvivesARestart() {
        try (TestPublisher p = publisher()) {
            String lease = token(p.acquire("capture.test/alpha"));
            p.directory("/alpha").file("/alpha/one.txt", "one\n");
            CatalogCommit change = p.finish(clock);
            TestPublisher.requireOk(p.uploadData(lease));
            TestPublisher.requireOk(p.uploadCatalogs(lease));

            RepositoryRegistry registry = new RepositoryRegistry(settings);
            LeaseService restarted = new LeaseService(settings, registry, new LeaseAndCommitLocks(), clock, metrics);
            PublicationNotifier notifier = new PublicationNotifier(settings, metrics);
            try {
                CommitService commits = new CommitService(restarted, new LeaseAndCommitLocks(),
                        new NativeReceiver(settings, clock, metrics), metrics, notifier);
                GatewayReply reply = commits.commit(lease, CommitRequest.of(p.base().rootCatalog(), change.rootHash(),
                        "generic-2026-11-25T05:00:00Z", ""));
                assertEquals("{\"final_revision\":2,\"status\":\"ok\"}", reply.toWire());
            } finally {
                notifier.stop();
                restarted.store().close();
            }
            assertTrue(leases.active(lease).isEmpty(), "the running gateway sees the lease ended");
        }
        assertTrue(published.lookup("/alpha/one.txt").isPresent());
        assertTrue(published.check(clock).passed());
    }
}
