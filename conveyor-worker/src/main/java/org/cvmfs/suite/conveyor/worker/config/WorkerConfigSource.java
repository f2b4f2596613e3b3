package org.cvmfs.suite.conveyor.worker.config;

import io.smallrye.config.common.MapBackedConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.cvmfs.suite.protocol.config.ConfigOrdinal;
import org.cvmfs.suite.protocol.config.TomlFile;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;

/**
 * Makes {@code /etc/cvmfs/conveyor/config.toml} (or {@code -c FILE}, passed on as the system
 * property {@value #CONFIG_PROPERTY}, or {@code CONVEYOR_CONFIG}) a configuration source: upstream's keys as
 * {@code conveyor.*} via {@link ConveyorConfig#asProperties()}, plus our {@code [worker]} keys
 * {@value #EXTRA_KEYS_DOC}. Ranked by {@link ConfigOrdinal#UPSTREAM_FILE}, so any single property
 * can still be overridden.
 * The file is validated with upstream's messages when the worker starts ({@code WorkerSettingsProducer}),
 * not here: a ConfigSource that throws hides the message in a boot stack trace.
 *
 * <p>It also sets {@code quarkus.log.level} to INFO (DEBUG with {@code debug = true}): the
 * {@code cvmfs-server} jar on the class path brings its own {@code application.properties} with
 * {@code quarkus.log.level=WARN} (right for its command-line tools), which at the same ordinal as
 * ours silenced every line the worker logs. The worker is a daemon; its log must say what it does.
 */
public final class WorkerConfigSource extends MapBackedConfigSource {
    public static final String CONFIG_PROPERTY = "conveyor.config";
    static final String EXTRA_KEYS_DOC = "require_checksum, script_timeout, log_limit, lease_wait, state_dir, "
            + "transaction_command, publish_command, abort_command, shutdown_grace, http_port";
    static final String LOG_LEVEL = "quarkus.log.level";

    public WorkerConfigSource() {
        this(location());
    }

    private WorkerConfigSource(Path file) {
        super("conveyor " + file, properties(file, System::getenv), ConfigOrdinal.UPSTREAM_FILE, false);
    }

    public static Path location() {
        String given = System.getProperty(CONFIG_PROPERTY);
        if (given == null || given.isBlank()) {
            given = System.getenv("CONVEYOR_CONFIG");
        }
        return given == null || given.isBlank() ? ConveyorConfig.defaultPath() : Path.of(given);
    }

    /** The file's settings as properties; empty when the file is missing or unreadable (reported at start). */
    static Map<String, String> properties(Path file, Function<String, String> env) {
        Map<String, String> out = new HashMap<>();
        out.put(LOG_LEVEL, "INFO");
        if (!Files.isRegularFile(file)) {
            return out;
        }
        TomlFile.Section root;
        ConveyorConfig config;
        try {
            root = TomlFile.read(file);
            config = ConveyorConfig.from(root, ConveyorConfig.Profile.WORKER, env);
        } catch (RuntimeException unreadable) {
            return out;
        }
        out.putAll(config.asProperties());
        if (config.debug()) {
            out.put(LOG_LEVEL, "DEBUG");
        }
        TomlFile.Section worker = root.table("worker").orElse(TomlFile.Section.EMPTY);
        for (String key : EXTRA_KEYS_DOC.split(", ")) {
            worker.string(key).ifPresent(v -> out.put("conveyor.worker." + key.replace('_', '-'), v));
        }
        worker.string("http_port").ifPresent(v -> out.put("quarkus.http.port", v));
        return out;
    }
}
