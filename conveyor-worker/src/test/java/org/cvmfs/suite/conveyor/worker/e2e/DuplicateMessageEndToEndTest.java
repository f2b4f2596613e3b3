package org.cvmfs.suite.conveyor.worker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.conveyor.JobSpecification;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.cvmfs.suite.protocol.conveyor.UnprocessedJob;
import org.cvmfs.suite.protocol.testing.Await;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second copy of a job's message (what the server's at-least-once outbox sends when it is
 * killed between the broker's confirm and the deletion of the outbox row) taken by the other
 * worker while the first runs the job: its claim (a first delivery of a running job) is refused,
 * so the copy is dropped at once instead of holding the other worker while it waits for the
 * lease, and the job is not run again when the first run fails. The script fails on its first
 * run and would succeed on a second, so a second run would publish a job the server recorded as
 * failed.
 */
@Tag("processes")
class DuplicateMessageEndToEndTest {
    private static final Duration LIMIT = Duration.ofMinutes(4);
    /** First run: waits for the test's go-ahead, then fails. Any later run succeeds. */
    private static final String SCRIPT = """
            #!/bin/bash
            set -e
            if [ ! -e "$RUNS/$CONVEYOR_JOB_ID" ]; then
              echo first > "$RUNS/$CONVEYOR_JOB_ID"
              while [ ! -e "$RUNS/go" ]; do sleep 0.2; done
              echo "cannot unpack" >&2
              exit 3
            fi
            echo again >> "$RUNS/$CONVEYOR_JOB_ID"
            mkdir -p "$CONVEYOR_LEASE_DIR"
            echo "$CONVEYOR_JOB_ID" > "$CONVEYOR_LEASE_DIR/job.txt"
            """;

    @TempDir
    Path dir;

    @Test
    void aCopyOfAJobMessageWaitingForTheLeaseNeitherRunsNorPublishesAJobThatFailed() throws Exception {
        Path runs = Files.createDirectories(dir.resolve("runs"));
        try (TutorialHosts hosts = new TutorialHosts(Files.createDirectories(dir.resolve("hosts")), 600);
             StagedScript staging = StagedScript.serve(dir.resolve("staging"), "flaky.sh", SCRIPT);
             ConveyorProcesses conveyor = new ConveyorProcesses(Files.createDirectories(dir.resolve("conveyor")))) {
            String payload = staging.payload("archive");
            conveyor.startServer();
            conveyor.watchCompletions();
            for (int i = 1; i <= 2; i++) {
                conveyor.startWorker("worker-" + i, Map.of("CVMFS_SUITE_PREFIX", hosts.publishers.get(i - 1).toString(),
                        "RUNS", runs.toString()), "-Dconveyor.worker.lease-wait=300");
            }
            ConveyorClient client = conveyor.client();
            long before = hosts.head().revision();
            var reply = client.submit(new JobSpecification("flaky", TutorialHosts.REPO, payload, "/flaky", null));
            assertTrue(reply.isOk(), reply.toString());
            String id = reply.id();
            Await.until(() -> Files.exists(runs.resolve(id)), LIMIT, () -> "the script never started\n" + logs(conveyor));
            String first = client.list(JobQuery.ofIds(List.of(id))).jobs().get(0).workerName();
            String other = first.equals("worker-1") ? "worker-2" : "worker-1";

            conveyor.publishRaw(ConveyorJson.writeString(new UnprocessedJob(id, "flaky", TutorialHosts.REPO, payload,
                    "/flaky", List.of(), 1)).getBytes(StandardCharsets.UTF_8));
            Await.until(() -> conveyor.log(other).contains("job " + id + " is running from another copy of its message; this copy dropped"),
                    LIMIT, () -> "the copy was not dropped\n" + logs(conveyor));
            assertFalse(conveyor.log(other).contains("lease path busy"), "the copy waited for the lease\n" + logs(conveyor));
            Files.writeString(runs.resolve("go"), "");
            Await.until(() -> client.list(JobQuery.ofIds(List.of(id))).jobs().get(0).jobState().terminal(), LIMIT,
                    () -> "the job never ended\n" + logs(conveyor));
            JobRecord job = client.list(JobQuery.ofIds(List.of(id))).jobs().get(0);
            assertEquals(JobState.FAILED, job.jobState(), job + "\n" + logs(conveyor));
            assertTrue(job.errorMessage().contains("exit status 3"), job.toString());
            assertEquals(first, job.workerName(), job.toString());
            assertEquals(List.of("first"), Files.readAllLines(runs.resolve(id)), logs(conveyor));
            assertEquals(before, hosts.head().revision(), "nothing published\n" + logs(conveyor));
            assertEquals(Optional.empty(), hosts.tagged("conveyor-" + id));
            assertEquals(List.of("{\"ID\":\"" + id + "\",\"Successful\":false}"), conveyor.takeCompletions());
            Await.until(() -> hosts.leases().isEmpty(), () -> "leases left: " + hosts.leases());
            assertEquals(0, conveyor.messagesIn(conveyor.jobQueue));
            var check = hosts.check();
            assertTrue(check.exitCode() == 0 && check.output().startsWith("no problems found"), check.toString());
        }
    }

    private static String logs(ConveyorProcesses conveyor) {
        return "--- server\n" + conveyor.log("server") + "--- worker-1\n" + conveyor.log("worker-1") + "--- worker-2\n"
                + conveyor.log("worker-2");
    }
}
