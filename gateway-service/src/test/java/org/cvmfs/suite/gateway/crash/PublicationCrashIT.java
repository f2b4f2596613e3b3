package org.cvmfs.suite.gateway.crash;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.cvmfs.suite.gateway.testing.Published;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.gateway.testing.TestPublisher;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.repository.PublicationStep;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.protocol.testing.FreePorts;
import org.cvmfs.suite.protocol.testing.PackagedGateway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A gateway killed with a real {@code kill -9} at each step boundary of a commit's publication
 * (the packaged gateway, a separate process, paused at the boundary by
 * {@link PublicationStep}'s test hook) never wedges its repository: after a restart the
 * repository checks clean, a new publication lands, and it checks clean again. Before the commit
 * point the interrupted revision is not served; from it on, it is.
 */
class PublicationCrashIT {
    private static final Duration PAUSE_TIMEOUT = Duration.ofMinutes(3);
    private final Clock clock = Clock.systemUTC();
    private TestHost host;
    private PackagedGateway gateway;

    @BeforeEach
    void host() throws IOException {
        assumeTrue(Boolean.getBoolean("cvmfs.packaged-gateway"),
                "runs against the packaged gateway, in the integration-test phase");
        host = TestHost.create();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        if (host != null) {
            host.delete();
        }
    }

    @ParameterizedTest
    @EnumSource(PublicationStep.class)
    void aGatewayKilledAtEveryStepBoundaryLeavesARepositoryThatChecksAndPublishes(PublicationStep step)
            throws Exception {
        int port = FreePorts.next();
        Files.writeString(host.userConfig(), "{ \"port\": %d, \"max_lease_time\": 600, \"log_level\": \"debug\", \"work_dir\": \"%s\" }"
                .formatted(port, host.workDir()));
        Path pauses = Files.createDirectories(host.prefix().resolve("pauses"));
        Path log = host.prefix().resolve("gateway.log");
        RepositoryLayout layout = new RepositoryLayout(HostPaths.under(host.prefix()), TestHost.REPO);
        Published published = new Published(layout, Files.createDirectories(host.prefix().resolve("scratch")));
        Manifest before = published.manifest();

        gateway = PackagedGateway.start(host.prefix(), port, log, List.of(
                "-D" + PublicationStep.PAUSE_AT_PROPERTY + "=" + step.name(),
                "-D" + PublicationStep.PAUSE_DIR_PROPERTY + "=" + pauses));
        TestPublisher first = TestPublisher.start(gateway.uri(), TestHost.KEY1, TestHost.REPO,
                host.prefix().resolve("publisher"));
        String token = TestPublisher.requireOk(first.acquire(TestHost.REPO + "/crashed")).sessionToken();
        first.directory("/crashed").file("/crashed/at.txt", step.name());
        first.finish(clock);
        TestPublisher.requireOk(first.uploadData(token));
        TestPublisher.requireOk(first.uploadCatalogs(token));
        CompletableFuture<GatewayReply> commit = CompletableFuture.supplyAsync(() -> first.commit(token, ""));

        awaitPause(pauses.resolve(step.name()));
        gateway.kill9();
        assertFalse(gateway.isAlive());
        assertTrue(commit.handle((reply, error) -> error != null || !reply.isOk()).get(),
                "the killed gateway answered the commit");
        first.close();

        gateway = PackagedGateway.start(host.prefix(), port, log, List.of());
        assertTrue(Files.notExists(layout.pendingReflog()), "start-up recovery leaves no staged reflog");
        assertClean(published.check(clock));
        boolean committed = step.compareTo(PublicationStep.MANIFEST_REPLACED) >= 0;
        assertEquals(committed ? before.revision() + 1 : before.revision(), published.manifest().revision());
        assertEquals(committed, published.lookup("/crashed/at.txt").isPresent());

        try (TestPublisher again = TestPublisher.start(gateway.uri(), TestHost.KEY1, TestHost.REPO,
                host.prefix().resolve("publisher"))) {
            String next = TestPublisher.requireOk(again.acquire(TestHost.REPO + "/after")).sessionToken();
            again.directory("/after").file("/after/b.txt", "after " + step);
            TestPublisher.requireOk(again.publish(next, clock));
        }
        assertClean(published.check(clock));
        assertTrue(published.lookup("/after/b.txt").isPresent());
        assertEquals(committed, published.lookup("/crashed/at.txt").isPresent());
    }

    private void awaitPause(Path marker) throws InterruptedException {
        Await.poll(() -> Files.exists(marker) || !gateway.isAlive(), PAUSE_TIMEOUT, Duration.ofMillis(50));
        if (!Files.exists(marker)) {
            throw new AssertionError("the gateway never paused at " + marker.getFileName() + ":\n" + gateway.log());
        }
    }

    private static void assertClean(CheckReport report) {
        assertTrue(report.passed(), () -> "check found " + report.faults());
    }
}
