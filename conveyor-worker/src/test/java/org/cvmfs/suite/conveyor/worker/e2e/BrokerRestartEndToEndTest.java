package org.cvmfs.suite.conveyor.worker.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.cvmfs.suite.protocol.testing.PrivateRabbitMq;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker restarted under a running installation (server and two mock workers as processes,
 * a private RabbitMQ node): jobs submitted before, during and after the outage all end
 * successfully, each with one terminal state, and the dependent job waited for with
 * {@code conveyor submit --wait} sees them all.
 */
@Tag("processes")
class BrokerRestartEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void noJobIsLostWhenTheBrokerRestarts() throws Exception {
        try (PrivateRabbitMq rabbit = PrivateRabbitMq.startNew();
             ConveyorProcesses conveyor = new ConveyorProcesses(dir, rabbit.amqpPort())) {
            conveyor.startServer();
            conveyor.startWorker("worker-1", Map.of("CONVEYOR_MOCK_WORKER", "true"));
            conveyor.startWorker("worker-2", Map.of("CONVEYOR_MOCK_WORKER", "true"));
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(submit(conveyor, "/before-" + i));
            }
            rabbit.stop();
            for (int i = 0; i < 5; i++) {
                ids.add(submit(conveyor, "/during-" + i));
            }
            rabbit.start();
            for (int i = 0; i < 5; i++) {
                ids.add(submit(conveyor, "/after-" + i));
            }
            var last = conveyor.cli(null, "submit", "-r", "mock.test", "--deps", String.join(",", ids), "--wait");
            assertEquals(0, last.exitCode(), last + "\n--- server\n" + conveyor.log("server") + "\n--- worker-1\n"
                    + conveyor.log("worker-1") + "\n--- worker-2\n" + conveyor.log("worker-2"));
            ids.add(last.lastJobId());
            ConveyorClient client = conveyor.client();
            List<JobRecord> jobs = client.list(JobQuery.ofIds(ids)).jobs();
            assertEquals(16, jobs.size());
            for (JobRecord job : jobs) {
                assertEquals(JobState.SUCCEEDED, job.jobState(), job.toString());
            }
            String logs = conveyor.log("worker-1") + conveyor.log("worker-2");
            assertTrue(logs.contains("connection to job queue lost") || logs.contains("job queue channel closed"), logs);
        }
    }

    private static String submit(ConveyorProcesses conveyor, String leasePath) throws Exception {
        var r = conveyor.cli(null, "submit", "-r", "mock.test", "-l", leasePath);
        assertEquals(0, r.exitCode(), r.toString());
        return r.lastJobId();
    }
}
