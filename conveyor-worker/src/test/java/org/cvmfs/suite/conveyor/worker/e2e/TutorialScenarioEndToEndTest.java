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
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.cvmfs.suite.protocol.testing.Await;
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
 * The tutorial's third part with real publications, every daemon a process: the packaged gateway
 * on the gateway host, the conveyor server (shared PostgreSQL and RabbitMQ, names of its own),
 * and two workers, each on its own publisher host (in-process publisher). The payload is a
 * script like the tutorial's {@code test_transaction.sh}, served by a local HTTP server and
 * named with its sha1; jobs are submitted with the {@code conveyor} CLI as
 * {@code submit_jobs.sh} does. Each publication carries the tag {@code conveyor-<job id>}, so the
 * history shows how often each job was published.
 */
@Tag("processes")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TutorialScenarioEndToEndTest {
    /** Like test_transaction.sh: arguments repository, lease path, "archive"; set -e; says what it does. */
    private static final String SCRIPT = """
            #!/bin/bash
            set -e
            echo "repository $1, lease path $2, archive $3"
            mkdir -p "$CONVEYOR_LEASE_DIR"
            cd "$CONVEYOR_LEASE_DIR"
            if [ "$3" = fail ]; then echo "cannot unpack $3" >&2; exit 3; fi
            if [ "$3" = sleep ] && [ ! -e "$MARKERS/$CONVEYOR_JOB_ID" ]; then
              echo "sleeping"; echo $$ > "$MARKERS/$CONVEYOR_JOB_ID.tmp"
              mv "$MARKERS/$CONVEYOR_JOB_ID.tmp" "$MARKERS/$CONVEYOR_JOB_ID"; exec sleep 600
            fi
            echo "$CONVEYOR_JOB_ID" > job.txt
            echo "contents of $3" > payload.txt
            echo "done with $2"
            """;

    @TempDir
    static Path dir;

    private TutorialHosts hosts;
    private ConveyorProcesses conveyor;
    private StagedScript staging;
    private final List<Process> workers = new ArrayList<>();
    private ConveyorClient client;

    @BeforeAll
    void start() throws Exception {
        hosts = new TutorialHosts(Files.createDirectories(dir.resolve("hosts")), 60);
        staging = StagedScript.serve(dir.resolve("staging"), "test_transaction.sh", SCRIPT);
        Files.createDirectories(dir.resolve("markers"));
        conveyor = new ConveyorProcesses(Files.createDirectories(dir.resolve("conveyor")));
        conveyor.startServer();
        for (int i = 1; i <= 2; i++) {
            workers.add(conveyor.startWorker("worker-" + i, Map.of("CVMFS_SUITE_PREFIX", hosts.publishers.get(i - 1).toString(),
                    "MARKERS", dir.resolve("markers").toString()), "-Dconveyor.worker.lease-wait=300"));
        }
        client = conveyor.client();
    }

    @AfterAll
    void stop() throws Exception {
        ClosedInOrder.close(conveyor, staging, hosts);
    }

    private String payload(String argument) {
        return staging.payload(argument);
    }

    private String logs() {
        return "--- server\n" + conveyor.log("server") + "--- worker-1\n" + conveyor.log("worker-1") + "--- worker-2\n"
                + conveyor.log("worker-2") + "--- gateway\n" + hosts.gatewayLog();
    }

    @Test
    @Order(1)
    void tenScriptJobsThenADependentJobArePublishedOnceEachAndTheRepositoryChecks() throws Exception {
        long before = hosts.head().revision();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 10; i++) {
            var r = conveyor.cli(null, "submit", "--repo", TutorialHosts.REPO, "--lease-path", "/ripgrep-0." + i + ".0",
                    "--payload", payload("ripgrep-0." + i + ".0.tar.gz"));
            assertEquals(0, r.exitCode(), r.toString());
            ids.add(r.lastJobId());
        }
        var last = conveyor.cli(null, "submit", "--repo", TutorialHosts.REPO, "--deps", String.join(",", ids), "--wait");
        assertEquals(0, last.exitCode(), last + "\n" + logs());
        String lastId = last.lastJobId();
        List<String> all = new ArrayList<>(ids);
        all.add(lastId);
        for (JobRecord job : client.list(JobQuery.ofIds(all)).jobs()) {
            assertEquals(JobState.SUCCEEDED, job.jobState(), job + "\n" + logs());
        }
        for (int i = 1; i <= 10; i++) {
            assertEquals(Optional.of(ids.get(i - 1) + "\n"), hosts.cat("/ripgrep-0." + i + ".0/job.txt"));
            assertEquals(Optional.of("contents of ripgrep-0." + i + ".0.tar.gz\n"), hosts.cat("/ripgrep-0." + i + ".0/payload.txt"));
        }
        // eleven publications, one per job: each job's tag, no revision more
        assertEquals(before + 11, hosts.head().revision(), logs());
        for (String id : all) {
            assertTrue(hosts.tagged("conveyor-" + id).isPresent(), id);
        }
        var check = hosts.check();
        assertTrue(check.exitCode() == 0 && check.output().startsWith("no problems found"), check.toString());
        // both publisher hosts took part
        assertEquals(2, client.list(JobQuery.ofIds(ids)).jobs().stream().map(JobRecord::workerName).distinct().count(), logs());
    }

    @Test
    @Order(2)
    void aFailingScriptFailsTheJobWithItsStatusAndOutputAndPublishesNothing() throws Exception {
        long before = hosts.head().revision();
        var r = conveyor.cli(null, "submit", "-r", TutorialHosts.REPO, "-l", "/broken", "-p", payload("fail"), "--wait");
        assertEquals(1, r.exitCode(), r.toString());
        String id = r.lastJobId();
        JobRecord job = client.list(JobQuery.ofIds(List.of(id))).jobs().get(0);
        assertEquals(JobState.FAILED, job.jobState(), job.toString());
        assertTrue(job.errorMessage().contains("exit status 3"), job.toString());
        assertTrue(job.log().contains("repository capture.test, lease path /broken, archive fail")
                && job.log().contains("cannot unpack fail"), job.toString());
        assertEquals(1, job.attempts(), job.toString());
        assertTrue(CliLine.contains(r.lines(), "exit status 3"), r.toString());
        assertEquals(before, hosts.head().revision());
        assertEquals(Optional.empty(), hosts.tagged("conveyor-" + id));
        assertEquals(Optional.empty(), hosts.cat("/broken/job.txt"));
    }

    /** Last: it leaves one worker. */
    @Test
    @Order(3)
    void aWorkerKilledDuringItsJobLeavesItToTheOtherWhichPublishesItOnce() throws Exception {
        long before = hosts.head().revision();
        var r = conveyor.cli(null, "submit", "-r", TutorialHosts.REPO, "-l", "/killed", "-p", payload("sleep"));
        assertEquals(0, r.exitCode(), r.toString());
        String id = r.lastJobId();
        Path started = dir.resolve("markers").resolve(id);
        Await.until(() -> Files.exists(started), Duration.ofMinutes(5), () -> "the script never started\n" + logs());
        String runner = client.list(JobQuery.ofIds(List.of(id))).jobs().get(0).workerName();
        Process victim = workers.get(runner.equals("worker-1") ? 0 : 1);
        new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).inheritIO().start().waitFor();
        victim.waitFor();
        // the script (now "sleep 600") was the dead worker's child: end it too, by its pid
        String scriptPid = Files.readString(started).trim();
        new ProcessBuilder("kill", "-9", scriptPid).inheritIO().start().waitFor();

        var waited = conveyor.cli(null, "check", "-i", id, "--wait");
        assertEquals(0, waited.exitCode(), waited + "\n" + logs());
        JobRecord job = client.list(JobQuery.ofIds(List.of(id))).jobs().get(0);
        assertEquals(JobState.SUCCEEDED, job.jobState(), job + "\n" + logs());
        assertTrue(!job.workerName().equals(runner), job.toString());
        assertEquals(before + 1, hosts.head().revision(), logs());
        assertEquals(Optional.of(id + "\n"), hosts.cat("/killed/job.txt"));
        assertTrue(hosts.tagged("conveyor-" + id).isPresent());
    }

    /** A CLI line mentioning a text. */
    static final class CliLine {
        static boolean contains(List<String> lines, String text) {
            return lines.stream().anyMatch(l -> l.contains(text));
        }
    }
}
