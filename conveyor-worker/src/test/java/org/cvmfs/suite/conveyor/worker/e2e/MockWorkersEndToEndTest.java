package org.cvmfs.suite.conveyor.worker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.JobListReply;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tutorial's job pattern through the packaged conveyor server and two packaged workers in
 * mock mode ({@code CONVEYOR_MOCK_WORKER}), on the shared PostgreSQL and RabbitMQ, submitted as
 * the tutorial's {@code submit_jobs.sh} does: ten {@code conveyor submit} processes on distinct
 * lease paths, each id taken from the last JSON line, then {@code conveyor submit --deps ... --wait}.
 * Every job succeeds exactly once, on one of the two workers, whose console logs say so; an
 * undecodable message on the job queue is dead-lettered and does not stop them.
 *
 * <p>This test found a race in the server: a job submitted while its last dependencies were
 * completing read their state from before, and the completions did not see the new job yet, so
 * it waited forever. The submission now locks its dependencies (JobStore.lockAll).
 */
@Tag("processes")
class MockWorkersEndToEndTest {
    private static final Pattern FINISHED = Pattern.compile("finished publishing job ([0-9a-f-]{36}): success true");

    @TempDir
    Path dir;

    @Test
    void tenJobsThenADependentJobAllSucceedOnTwoMockWorkers() throws Exception {
        try (ConveyorProcesses conveyor = new ConveyorProcesses(dir)) {
            conveyor.startServer();
            conveyor.startWorker("worker-1", Map.of("CONVEYOR_MOCK_WORKER", "true"));
            conveyor.startWorker("worker-2", Map.of("CONVEYOR_MOCK_WORKER", "yes"));
            conveyor.publishRaw("not a job".getBytes(StandardCharsets.UTF_8));
            List<String> ids = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                var r = conveyor.cli(null, "submit", "--repo", "mock.test", "--lease-path", "/ripgrep-0." + i + ".0");
                assertEquals(0, r.exitCode(), r.toString());
                ids.add(r.lastJobId());
            }
            var last = conveyor.cli(null, "submit", "-r", "mock.test", "--deps", String.join(",", ids), "--wait");
            assertEquals(0, last.exitCode(), last + "\n--- server\n" + conveyor.log("server"));
            String lastId = ConveyorProcesses.CliResult.field(last.lines().get(0), "job_id");
            assertEquals("true", ConveyorProcesses.CliResult.field(last.lines().get(last.lines().size() - 1), "success"));
            assertEquals(lastId, last.lastJobId());

            List<String> all = new ArrayList<>(ids);
            all.add(lastId);
            ConveyorClient client = new ConveyorClient(java.net.URI.create("http://127.0.0.1:" + conveyor.serverPort),
                    "secret_key", 3, Duration.ofSeconds(1));
            JobListReply listed = client.list(JobQuery.ofIds(all));
            assertEquals(11, listed.jobs().size());
            for (JobRecord job : listed.jobs()) {
                assertEquals(JobState.SUCCEEDED, job.jobState(), job.toString());
                assertEquals(1, job.attempts(), job.toString());
                assertTrue(job.workerName().equals("worker-1") || job.workerName().equals("worker-2"), job.toString());
            }
            // the workers' console logs show each job run exactly once, and the poison message
            List<String> ran = new ArrayList<>();
            String logs = conveyor.log("worker-1") + conveyor.log("worker-2");
            Matcher m = FINISHED.matcher(logs);
            while (m.find()) {
                ran.add(m.group(1));
            }
            assertEquals(all.stream().sorted().toList(), ran.stream().sorted().toList(), logs);
            assertTrue(logs.contains("Worker worker-1 started (mock mode)") && logs.contains("Worker worker-2 started (mock mode)"), logs);
            assertTrue(logs.contains("could not decode job message"), logs);
            assertEquals(1, conveyor.messagesIn(conveyor.jobQueue + ".dead"));
        }
    }
}
