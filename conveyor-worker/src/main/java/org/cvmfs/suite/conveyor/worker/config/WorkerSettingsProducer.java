package org.cvmfs.suite.conveyor.worker.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Loads and validates {@code config.toml} for the worker profile (upstream's messages), then
 * applies what outranks the file: {@code -n/-R/-T} (system properties set by {@code WorkerMain})
 * and any {@code conveyor.worker.*} property.
 */
@ApplicationScoped
public class WorkerSettingsProducer {

    @Produces
    @jakarta.inject.Singleton
    WorkerSettings settings() {
        return fromConfig(ConfigProvider.getConfig(),
                ConveyorConfig.load(WorkerConfigSource.location(), ConveyorConfig.Profile.WORKER, System::getenv));
    }

    public static WorkerSettings fromConfig(Config c, ConveyorConfig file) {
        ConveyorConfig.Worker w = file.worker();
        ConveyorConfig conveyor = file.withWorker(new ConveyorConfig.Worker(
                c.getOptionalValue("conveyor.worker.name", String.class).orElse(w.name()),
                c.getOptionalValue("conveyor.worker.job-retries", Integer.class).orElse(w.jobRetries()),
                c.getOptionalValue("conveyor.worker.temp-dir", String.class).orElse(w.tempDir())));
        return new WorkerSettings(conveyor,
                ConveyorConfig.mockWorker(System::getenv),
                c.getOptionalValue("conveyor.worker.require-checksum", Boolean.class).orElse(false),
                Duration.ofSeconds(c.getOptionalValue("conveyor.worker.script-timeout", Long.class).orElse(3600L)),
                c.getOptionalValue("conveyor.worker.log-limit", Integer.class).orElse(64 * 1024),
                Duration.ofSeconds(c.getOptionalValue("conveyor.worker.lease-wait", Long.class).orElse(600L)),
                c.getOptionalValue("conveyor.worker.state-dir", String.class).map(Path::of)
                        .orElse(HostPaths.fromEnvironment().resolve("/var/lib/conveyor-worker")),
                c.getOptionalValue("conveyor.worker.transaction-command", String.class).map(WorkerSettingsProducer::words),
                c.getOptionalValue("conveyor.worker.publish-command", String.class).map(WorkerSettingsProducer::words)
                        .orElse(WorkerSettings.DEFAULT_PUBLISH_COMMAND),
                c.getOptionalValue("conveyor.worker.abort-command", String.class).map(WorkerSettingsProducer::words)
                        .orElse(WorkerSettings.DEFAULT_ABORT_COMMAND),
                Duration.ofSeconds(c.getOptionalValue("conveyor.worker.shutdown-grace", Long.class).orElse(60L)));
    }

    /** A command template split on white space before placeholders are filled in. */
    static List<String> words(String template) {
        return Arrays.stream(template.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
    }
}
