package org.cvmfs.suite.conveyor.worker.daemon;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import org.cvmfs.suite.conveyor.worker.config.WorkerSettings;
import org.cvmfs.suite.conveyor.worker.job.JobRunner;
import org.cvmfs.suite.conveyor.worker.job.TransactionMarkers;
import org.cvmfs.suite.conveyor.worker.payload.PayloadFetcher;
import org.cvmfs.suite.conveyor.worker.payload.ScriptRunner;
import org.cvmfs.suite.conveyor.worker.publish.CommandPublisher;
import org.cvmfs.suite.conveyor.worker.publish.InProcessPublisher;
import org.cvmfs.suite.conveyor.worker.publish.RepositoryPublisher;
import org.cvmfs.suite.conveyor.worker.queue.JobQueue;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.jboss.logging.Logger;

/**
 * The worker daemon's life: at start, {@code temp_dir} emptied and re-created (upstream), the
 * broker connected and the loop started on its own thread; on SIGTERM, no new job is taken, the
 * current one gets {@code shutdown_grace} to finish and is otherwise aborted (script killed,
 * transaction aborted, message requeued) before the process exits.
 */
@ApplicationScoped
public class WorkerDaemon {
    private static final Logger LOG = Logger.getLogger(WorkerDaemon.class);

    @Inject
    WorkerSettings settings;

    @Inject
    MeterRegistry registry;

    private JobQueue queue;
    private WorkerLoop loop;
    private Thread thread;

    void start(@Observes StartupEvent event) {
        try {
            DirectoryTree.delete(settings.tempDir());
            Files.createDirectories(settings.tempDir(),
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create temp_dir " + settings.tempDir(), e);
        }
        Logger publisherLog = Logger.getLogger("org.cvmfs.suite.conveyor.worker.publisher");
        RepositoryPublisher publisher = settings.transactionCommand()
                .<RepositoryPublisher>map(t -> new CommandPublisher(t, settings.publishCommand(), settings.abortCommand(),
                        settings.leaseWait().toSeconds(), HostPaths.fromEnvironment(), publisherLog::info))
                .orElseGet(() -> new InProcessPublisher(HostPaths.fromEnvironment(), settings.leaseWait(), publisherLog::info));
        JobRunner runner = new JobRunner(settings.workerName(), settings.mock(),
                new PayloadFetcher(settings.tempDir(), settings.requireChecksum()),
                new ScriptRunner(settings.scriptTimeout(), settings.logLimit()), publisher,
                new TransactionMarkers(settings.stateDir()), Clock.systemDefaultZone());
        ConveyorClient client = new ConveyorClient(settings.conveyor().server().baseUrl(), settings.conveyor().sharedKey(),
                3, Duration.ofSeconds(1));
        queue = new JobQueue(settings.conveyor().queue());
        loop = new WorkerLoop(queue, runner, JobServer.of(client), settings.workerName(), 5, Duration.ofSeconds(2), this::observe);
        registry.gauge("conveyor.worker.busy", this, d -> d.loop.currentJob() == null ? 0 : 1);
        thread = new Thread(loop, "conveyor-worker");
        thread.start();
        LOG.infof("Worker %s started%s", settings.workerName(), settings.mock() ? " (mock mode)" : "");
    }

    private void observe(WorkerLoop.Outcome outcome, Duration took) {
        String name = outcome.name().toLowerCase(Locale.ROOT);
        registry.counter("conveyor.worker.jobs", "outcome", name).increment();
        Timer.builder("conveyor.worker.job.duration").tag("outcome", name).register(registry).record(took);
    }

    void stop(@Observes ShutdownEvent event) {
        if (loop == null) {
            return;
        }
        loop.requestStop();
        queue.stopConsuming();
        try {
            thread.join(settings.shutdownGrace().toMillis());
            if (thread.isAlive()) {
                LOG.infof("job %s did not finish within %s; aborting it", loop.currentJob(), settings.shutdownGrace());
                thread.interrupt();
                thread.join(60_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        queue.close();
        DirectoryTree.delete(settings.tempDir());
        LOG.infof("Worker %s stopped", settings.workerName());
    }

    public boolean connected() {
        return queue != null && queue.connected();
    }

    public boolean running() {
        return thread != null && thread.isAlive();
    }
}
