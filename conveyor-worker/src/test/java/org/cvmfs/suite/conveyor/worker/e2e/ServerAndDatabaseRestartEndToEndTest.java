package org.cvmfs.suite.conveyor.worker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.conveyor.JobSpecification;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.protocol.testing.PrivatePostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The conveyor server killed ({@code kill -9}) and restarted, and separately its PostgreSQL (a
 * private cluster) killed and restarted, while two real workers (one per publisher host, the
 * packaged gateway behind them) run jobs and others wait in the queue: the workers reconnect by
 * themselves (nobody restarts them), every job ends once, succeeded, and is published exactly
 * once (one revision per job, each with its tag); no lease is left and the repository checks.
 */
@Tag("processes")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ServerAndDatabaseRestartEndToEndTest {
    private static final int JOBS = 6;
    private static final Duration LIMIT = Duration.ofMinutes(5);
    /** Takes a few seconds, so that jobs are running when the fault strikes. */
    private static final String SCRIPT = """
            #!/bin/bash
            set -e
            sleep 4
            mkdir -p "$CONVEYOR_LEASE_DIR"
            echo "$CONVEYOR_JOB_ID" > "$CONVEYOR_LEASE_DIR/job.txt"
            """;

    @TempDir
    static Path dir;

    private PrivatePostgres postgres;
    private TutorialHosts hosts;
    private ConveyorProcesses conveyor;
    private StagedScript staging;
    private ConveyorClient client;
    private String payload;
    private Process server;
    private final List<Process> workers = new ArrayList<>();

    @BeforeAll
    void start() throws Exception {
        postgres = PrivatePostgres.startNew();
        hosts = new TutorialHosts(Files.createDirectories(dir.resolve("hosts")), 600);
        staging = StagedScript.serve(dir.resolve("staging"), "slow.sh", SCRIPT);
        payload = staging.payload("archive");
        conveyor = new ConveyorProcesses(Files.createDirectories(dir.resolve("conveyor")), 5672, postgres.port());
        server = conveyor.startServer();
        for (int i = 1; i <= 2; i++) {
            workers.add(conveyor.startWorker("worker-" + i, Map.of("CVMFS_SUITE_PREFIX", hosts.publishers.get(i - 1).toString()),
                    "-Dconveyor.worker.lease-wait=300"));
        }
        client = conveyor.client();
    }

    @AfterAll
    void stop() throws Exception {
        ClosedInOrder.close(conveyor, staging, hosts, postgres);
    }

    @Test
    @Order(1)
    void theServerKilledAndRestartedWhileWorkersRunJobsLosesNoneAndPublishesNoneTwice() throws Exception {
        long before = hosts.head().revision();
        List<String> ids = submitAndAwaitRunning("server");
        new ProcessBuilder("kill", "-9", Long.toString(server.pid())).inheritIO().start().waitFor();
        server.waitFor();
        // the running jobs finish and cannot report; the queued ones cannot be claimed
        Thread.sleep(6_000);
        server = conveyor.startServer();
        assertAllPublishedOnce(ids, before);
        assertTrue(workerLogs().contains("could not post the result of job"), "a worker met the outage\n" + logs());
    }

    @Test
    @Order(2)
    void postgresKilledAndRestartedWhileWorkersRunJobsLosesNoneAndPublishesNoneTwice() throws Exception {
        long before = hosts.head().revision();
        int worker1LogBefore = conveyor.log("worker-1").length();
        int worker2LogBefore = conveyor.log("worker-2").length();
        List<String> ids = submitAndAwaitRunning("database");
        postgres.kill();
        Thread.sleep(6_000);
        postgres.start();
        assertAllPublishedOnce(ids, before);
        assertTrue(server.isAlive(), "the server reconnected to PostgreSQL by itself\n" + logs());
        String workerLogs = conveyor.log("worker-1").substring(worker1LogBefore)
                + conveyor.log("worker-2").substring(worker2LogBefore);
        assertTrue(workerLogs.contains("server did not store the result of job")
                || workerLogs.contains("could not post the result of job")
                || workerLogs.contains("job server unreachable"), "a worker met the outage\n" + logs());
    }

    /** {@value #JOBS} jobs on paths of their own; returns once some run and some still wait. */
    private List<String> submitAndAwaitRunning(String prefix) throws InterruptedException {
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= JOBS; i++) {
            var reply = client.submit(new JobSpecification(prefix + "-" + i, TutorialHosts.REPO, payload,
                    "/" + prefix + "-" + i, null));
            assertTrue(reply.isOk(), reply.toString());
            ids.add(reply.id());
        }
        Await.until(() -> {
            Map<JobState, Long> states = states(ids);
            return states.getOrDefault(JobState.RUNNING, 0L) > 0 && states.getOrDefault(JobState.QUEUED, 0L) > 0;
        }, LIMIT, () -> "never some jobs running and some queued: " + states(ids) + "\n" + logs());
        return ids;
    }

    private void assertAllPublishedOnce(List<String> ids, long before) throws InterruptedException {
        Await.until(() -> {
            try {
                return client.list(JobQuery.ofIds(ids)).jobs().stream().allMatch(j -> j.jobState().terminal());
            } catch (RuntimeException notYet) {
                return false;
            }
        }, LIMIT, () -> "not every job ended: " + states(ids) + "\n" + logs());
        for (JobRecord job : client.list(JobQuery.ofIds(ids)).jobs()) {
            assertEquals(JobState.SUCCEEDED, job.jobState(), job + "\n" + logs());
        }
        assertEquals(before + JOBS, hosts.head().revision(), "one publication per job\n" + logs());
        for (String id : ids) {
            assertTrue(hosts.tagged("conveyor-" + id).isPresent(), id);
        }
        for (JobRecord job : client.list(JobQuery.ofIds(ids)).jobs()) {
            assertEquals(Optional.of(job.id() + "\n"), hosts.cat(job.leasePath() + "/job.txt"));
        }
        Await.until(() -> hosts.leases().isEmpty(), () -> "leases left: " + hosts.leases());
        assertEquals(Set.of(), hosts.leases());
        var check = hosts.check();
        assertTrue(check.exitCode() == 0 && check.output().startsWith("no problems found"), check.toString());
        // nobody restarted the workers: they carried on by themselves
        assertTrue(workers.stream().allMatch(Process::isAlive), logs());
    }

    private Map<JobState, Long> states(List<String> ids) {
        try {
            return client.list(JobQuery.ofIds(ids)).jobs().stream()
                    .collect(Collectors.groupingBy(JobRecord::jobState, Collectors.counting()));
        } catch (RuntimeException unreachable) {
            return Map.of();
        }
    }

    private String workerLogs() {
        return conveyor.log("worker-1") + conveyor.log("worker-2");
    }

    private String logs() {
        return "--- server\n" + conveyor.log("server") + "--- worker-1\n" + conveyor.log("worker-1") + "--- worker-2\n"
                + conveyor.log("worker-2") + "--- gateway\n" + hosts.gatewayLog();
    }
}
