package org.cvmfs.suite.conveyor.worker.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;

/**
 * Everything a worker reads from {@code config.toml}: upstream's keys through
 * {@link ConveyorConfig}, and our {@code [worker]} extensions (see {@link WorkerConfigSource}).
 *
 * @param mock               {@code CONVEYOR_MOCK_WORKER}: no payload, no publication, every job succeeds
 * @param requireChecksum    refuse payload URLs without {@code ?checksum=}
 * @param scriptTimeout      the payload script is killed after this long
 * @param logLimit           bytes of script output kept as the job's log
 * @param leaseWait          how long opening a transaction waits for a busy lease path
 * @param stateDir           where the worker notes which repository holds a transaction of its own
 * @param transactionCommand upstream {@code cvmfs_server} mode when present (see {@code CommandPublisher})
 * @param shutdownGrace      how long SIGTERM lets the current job finish before aborting it
 */
public record WorkerSettings(ConveyorConfig conveyor, boolean mock, boolean requireChecksum, Duration scriptTimeout,
                             int logLimit, Duration leaseWait, Path stateDir,
                             Optional<List<String>> transactionCommand, List<String> publishCommand,
                             List<String> abortCommand, Duration shutdownGrace) {

    public static final List<String> DEFAULT_PUBLISH_COMMAND =
            List.of("cvmfs_server", "publish", "-a", "{tag}", "-m", "{message}", "{repo}");
    public static final List<String> DEFAULT_ABORT_COMMAND = List.of("cvmfs_server", "abort", "-f", "{repo}");

    public String workerName() {
        return conveyor.worker().name();
    }

    public Path tempDir() {
        return Path.of(conveyor.worker().tempDir());
    }
}
