package org.cvmfs.suite.conveyor.worker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cvmfs.suite.conveyor.worker.job.JobStep;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.cvmfs.suite.protocol.repository.PublicationStep;
import org.cvmfs.suite.protocol.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A worker killed with a real {@code kill -9} at each step boundary of a job ({@link JobStep}: the
 * packaged worker, a separate process, paused at the boundary by the test hook), then restarted
 * on the same publisher host: the job ends exactly once (one terminal state, one completion
 * event), succeeded; it is published exactly once (one revision more, carrying its tag); the
 * script ran again only where nothing was published; no lease is left at the gateway, no message
 * in the queue, and the repository passes {@code cvmfs_server check}. The gateway's maximum lease
 * time is ten minutes, so a lease the killed worker held is gone only because the restarted
 * worker found its marker and aborted the transaction.
 */
@Tag("processes")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerKilledAtEachStepEndToEndTest {
    private static final Duration LIMIT = Duration.ofMinutes(4);
    /** Writes the job id into the leased subtree; counts its runs in $RUNS/JOB_ID. */
    private static final String SCRIPT = """
            #!/bin/bash
            set -e
            echo "$CONVEYOR_JOB_ID" >> "$RUNS/$CONVEYOR_JOB_ID"
            mkdir -p "$CONVEYOR_LEASE_DIR"
            echo "$CONVEYOR_JOB_ID" > "$CONVEYOR_LEASE_DIR/job.txt"
            echo "done with $2"
            """;

    @TempDir
    static Path dir;

    private TutorialHosts hosts;
    private ConveyorProcesses conveyor;
    private StagedScript staging;
    private ConveyorClient client;
    private String payload;
    private Path runs;

    @BeforeAll
    void start() throws Exception {
        hosts = new TutorialHosts(Files.createDirectories(dir.resolve("hosts")), 600);
        staging = StagedScript.serve(dir.resolve("staging"), "job.sh", SCRIPT);
        payload = staging.payload("archive");
        runs = Files.createDirectories(dir.resolve("runs"));
        conveyor = new ConveyorProcesses(Files.createDirectories(dir.resolve("conveyor")));
        conveyor.startServer();
        conveyor.watchCompletions();
        client = conveyor.client();
    }

    @AfterAll
    void stop() throws Exception {
        ClosedInOrder.close(conveyor, staging, hosts);
    }

    @ParameterizedTest
    @EnumSource(JobStep.class)
    void aWorkerKilledAtEveryStepBoundaryLeavesAJobTheRestartedWorkerFinishesOnce(JobStep step) throws Exception {
        long before = hosts.head().revision();
        Path pauses = Files.createDirectories(dir.resolve("pauses-" + step));
        Process victim = worker("-D" + PublicationStep.PAUSE_AT_PROPERTY + "=" + step.name(),
                "-D" + PublicationStep.PAUSE_DIR_PROPERTY + "=" + pauses);
        var submitted = conveyor.cli(null, "submit", "-r", TutorialHosts.REPO, "-l", "/" + step, "-p", payload,
                "-j", step.name());
        assertEquals(0, submitted.exitCode(), submitted.toString());
        String id = submitted.lastJobId();

        Await.until(() -> Files.exists(pauses.resolve(step.name())) || !victim.isAlive(), LIMIT,
                () -> "the worker never paused at " + step + "\n" + logs());
        assertTrue(victim.isAlive(), "the worker died before " + step + "\n" + logs());
        new ProcessBuilder("kill", "-9", Long.toString(victim.pid())).inheritIO().start().waitFor();
        victim.waitFor();

        Process rescuer = worker();
        Await.until(() -> state(id).terminal(), LIMIT, () -> "job " + id + " never ended after a kill at " + step + "\n" + logs());
        // a graceful stop requeues a delivery still held: none may be left
        rescuer.destroy();
        rescuer.waitFor();

        JobRecord job = client.list(JobQuery.ofIds(List.of(id))).jobs().get(0);
        assertEquals(JobState.SUCCEEDED, job.jobState(), job + "\n" + logs());
        assertEquals(List.of("{\"ID\":\"" + id + "\",\"Successful\":true}"), conveyor.takeCompletions(), logs());
        assertEquals(before + 1, hosts.head().revision(), "published exactly once\n" + logs());
        assertEquals(Optional.of(before + 1), hosts.tagged("conveyor-" + id));
        assertEquals(Optional.of(id + "\n"), hosts.cat("/" + step + "/job.txt"));
        assertEquals(scriptRunsAfterAKillAt(step), Files.readAllLines(runs.resolve(id)).size(), logs());
        assertEquals(Set.of(), hosts.leases(), logs());
        assertEquals(0, conveyor.messagesIn(conveyor.jobQueue));
        var check = hosts.check();
        assertTrue(check.exitCode() == 0 && check.output().startsWith("no problems found"), check.toString());
        if (step == JobStep.PUBLISHED || step == JobStep.ATTEMPT_ENDED) {
            assertTrue(job.log().contains("already published in revision " + (before + 1) + "; not run again"), job.toString());
        }
        if (step == JobStep.RESULT_STORED) {
            assertTrue(conveyor.log("worker-1").contains("job " + id + " already finished or cancelled; message dropped"), logs());
        }
    }

    /** The script runs again only when the killed worker ran it and published nothing. */
    private static int scriptRunsAfterAKillAt(JobStep step) {
        if (step.compareTo(JobStep.SCRIPT_FINISHED) < 0) {
            return 1;
        }
        return step == JobStep.SCRIPT_FINISHED ? 2 : 1;
    }

    /** The worker of publisher host 1, with its state directory kept across restarts. */
    private Process worker(String... jvm) throws Exception {
        return conveyor.startWorker("worker-1", Map.of("CVMFS_SUITE_PREFIX", hosts.publishers.get(0).toString(),
                "RUNS", runs.toString()), jvm);
    }

    private JobState state(String id) {
        return client.list(JobQuery.ofIds(List.of(id))).jobs().get(0).jobState();
    }

    private String logs() {
        return "--- server\n" + conveyor.log("server") + "--- worker-1\n" + conveyor.log("worker-1") + "--- gateway\n"
                + hosts.gatewayLog();
    }
}
