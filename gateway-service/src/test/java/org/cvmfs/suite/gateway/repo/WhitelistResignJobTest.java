package org.cvmfs.suite.gateway.repo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.Published;
import org.cvmfs.suite.gateway.testing.RepositoryStates;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.manifest.SignedWhitelist;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scheduled re-signing round, run directly with fixed clocks around the fixture whitelist's
 * expiry (2026-12-25 04:58:28 UTC).
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class WhitelistResignJobTest {
    static final Instant MONTH_AHEAD = Instant.parse("2026-11-26T00:00:00Z");
    static final Instant WEEK_BEFORE_EXPIRY = Instant.parse("2026-12-20T00:00:00Z");

    @Inject
    RepositoryRegistry repositories;
    @Inject
    GatewaySettings settings;
    @Inject
    MeterRegistry metrics;

    @TempDir
    Path scratch;

    RepositoryLayout layout;

    @BeforeEach
    void upstreamsStateAfterA() {
        layout = RepositoryStates.reset("after-a");
    }

    @AfterEach
    void untouchedHost() {
        RepositoryStates.restore();
    }

    private Map<String, WhitelistResignJob.Outcome> run(Instant now) {
        WhitelistResignJob job = new WhitelistResignJob(repositories, settings, Clock.fixed(now, ZoneOffset.UTC), metrics);
        return job.resignDue().stream()
                .collect(Collectors.toMap(WhitelistResignJob.Result::repository, WhitelistResignJob.Result::outcome));
    }

    @Test
    void aWhitelistValidForLongerIsLeftAlone() throws Exception {
        byte[] before = Files.readAllBytes(layout.whitelist());
        assertEquals(Map.of(TestHost.REPO, WhitelistResignJob.Outcome.STILL_VALID,
                TestHost.GC_REPO, WhitelistResignJob.Outcome.STILL_VALID,
                TestHost.OTHER_REPO, WhitelistResignJob.Outcome.NO_MASTER_KEY), run(MONTH_AHEAD));
        assertArrayEquals(before, Files.readAllBytes(layout.whitelist()));
    }

    @Test
    void aWhitelistCloseToExpiryIsResignedAndKeepsTheRepositoryValid() throws Exception {
        Clock later = Clock.fixed(Instant.parse("2027-01-10T00:00:00Z"), ZoneOffset.UTC);
        Published published = new Published(layout, scratch);
        assertFalse(published.check(later).passed(), "the fixture whitelist has expired by then");

        assertEquals(WhitelistResignJob.Outcome.RESIGNED, run(WEEK_BEFORE_EXPIRY).get(TestHost.REPO));
        SignedWhitelist signed = SignedWhitelist.parse(Files.readAllBytes(layout.whitelist()));
        assertEquals(Instant.parse("2027-01-19T00:00:00Z"), signed.whitelist().expires());
        CheckReport report = published.check(later);
        assertTrue(report.passed(), report.faults().toString());
        assertEquals(WhitelistResignJob.Outcome.STILL_VALID, run(WEEK_BEFORE_EXPIRY).get(TestHost.REPO),
                "the next round finds it fresh");
    }

    @Test
    void aFailureIsReportedAndTheRoundGoesOn() throws Exception {
        Files.delete(layout.serverConf());
        byte[] before = Files.readAllBytes(layout.whitelist());
        SimpleMeterRegistry own = new SimpleMeterRegistry();
        List<WhitelistResignJob.Result> results = new WhitelistResignJob(repositories, settings,
                Clock.fixed(WEEK_BEFORE_EXPIRY, ZoneOffset.UTC), own).resignDue();
        Map<String, WhitelistResignJob.Outcome> outcomes = results.stream()
                .collect(Collectors.toMap(WhitelistResignJob.Result::repository, WhitelistResignJob.Result::outcome));
        assertEquals(Map.of(TestHost.REPO, WhitelistResignJob.Outcome.FAILED,
                TestHost.GC_REPO, WhitelistResignJob.Outcome.STILL_VALID,
                TestHost.OTHER_REPO, WhitelistResignJob.Outcome.NO_MASTER_KEY), outcomes,
                "the repositories after the failing one were still visited");
        WhitelistResignJob.Result failed = results.stream()
                .filter(r -> r.repository().equals(TestHost.REPO)).findFirst().orElseThrow();
        assertTrue(failed.detail().contains("server.conf"), failed.detail());
        assertArrayEquals(before, Files.readAllBytes(layout.whitelist()));
        assertEquals(1.0, own.counter("cvmfs_gateway_whitelist_resign", "outcome", "failed").count());
    }
}
