package org.cvmfs.suite.protocol.conveyor;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.config.TomlFile;

/**
 * Conveyor's {@code config.toml}, read as upstream reads it: built-in default &lt; file &lt;
 * {@code CONVEYOR_*} environment variable (non-empty values only) &lt; CLI flag (applied by the
 * caller with the {@code with...} methods). Keys are case-insensitive, unknown keys ignored, the
 * {@code [server]} table is mandatory, and {@code ""} or {@code "UNSET"} count as unset for the
 * required keys of each {@link Profile}. Mind upstream's vhost default {@value Queue#DEFAULT_VHOST}
 * (with a trailing slash), unlike the shipped file's {@code /}.
 */
public record ConveyorConfig(String sharedKey, int jobWaitTimeout, boolean debug, boolean logTimestamps,
                             Server server, Queue queue, Db db, Worker worker) {

    /** {@code /etc/cvmfs/conveyor/config.toml}, under the suite's host prefix if one is set. */
    public static Path defaultPath() {
        return defaultPath(System::getenv);
    }

    /** As {@link #defaultPath()}, the prefix taken from {@code env}. */
    public static Path defaultPath(Function<String, String> env) {
        return HostPaths.fromEnvironment(env).etcCvmfs().resolve("conveyor/config.toml");
    }

    public static final String UNSET = "UNSET";
    public static final String INVALID = "invalid configuration: ";
    public static final String MISSING_SERVER = "Could not read config; missing server section";

    /** Which sub-command reads the file: decides the required keys and the environment overrides. */
    public enum Profile { CLIENT, SERVER, WORKER }

    public record Server(String host, int port) {
        /** {@code http://} prepended when the host names no scheme; the base URL is {@code host:port}. */
        public URI baseUrl() {
            String h = host.startsWith("http://") || host.startsWith("https://") ? host : "http://" + host;
            return URI.create(h + ":" + port);
        }
    }

    public record Queue(String username, String password, String host, int port, String vhost,
                        String newJobExchange, String newJobQueue, String completedJobExchange) {
        public static final String DEFAULT_VHOST = "/cvmfs/";
    }

    public record Db(String type, String database, String username, String password, String host, int port) {
        /** JDBC URL of the configured PostgreSQL database (MySQL is refused at server start). */
        public String jdbcUrl() {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    public record Worker(String name, int jobRetries, String tempDir) {
    }

    /** Reads {@code file} for {@code profile} and validates it; environment from {@code env}. */
    public static ConveyorConfig load(Path file, Profile profile, Function<String, String> env) {
        return load(file, Path.of(""), profile, env);
    }

    /**
     * As {@link #load(Path, Profile, Function)}, a relative {@code file} resolved against
     * {@code workingDirectory} (a command run for a caller in another directory) and named as given.
     */
    public static ConveyorConfig load(Path file, Path workingDirectory, Profile profile, Function<String, String> env) {
        TomlFile.Section root = TomlFile.read(file, workingDirectory);
        ConveyorConfig config = from(root, profile, env);
        config.validate(profile);
        return config;
    }

    /** The settings of a parsed file with environment overrides, not yet validated. */
    public static ConveyorConfig from(TomlFile.Section root, Profile profile, Function<String, String> env) {
        TomlFile.Section server = root.table("server").orElseThrow(() -> new ConfigException(MISSING_SERVER));
        TomlFile.Section queue = root.table("queue").orElse(TomlFile.Section.EMPTY);
        TomlFile.Section db = root.table("db").orElse(TomlFile.Section.EMPTY);
        TomlFile.Section worker = root.table("worker").orElse(TomlFile.Section.EMPTY);
        String dbUser = db.string("username", "");
        String dbPass = db.string("password", "");
        if (profile == Profile.SERVER) {
            dbUser = override(env, "CONVEYOR_DB_USER", dbUser);
            dbPass = override(env, "CONVEYOR_DB_PASS", dbPass);
        }
        return new ConveyorConfig(
                override(env, "CONVEYOR_SHARED_KEY", root.string("shared_key", UNSET)),
                root.integer("job_wait_timeout", 7200, ""),
                root.bool("debug", false, ""),
                root.bool("log_timestamps", false, ""),
                new Server(server.string("host", ""), server.integer("port", 8080, "server.")),
                new Queue(override(env, "CONVEYOR_QUEUE_USER", queue.string("username", "")),
                        override(env, "CONVEYOR_QUEUE_PASS", queue.string("password", "")),
                        queue.string("host", ""), queue.integer("port", 5672, "queue."),
                        queue.string("vhost", Queue.DEFAULT_VHOST),
                        queue.string("new_job_exchange", ConveyorTopology.NEW_JOB_EXCHANGE),
                        queue.string("new_job_queue", ConveyorTopology.NEW_JOB_QUEUE),
                        queue.string("completed_job_exchange", ConveyorTopology.COMPLETED_JOB_EXCHANGE)),
                new Db(db.string("type", ""), db.string("database", ""), dbUser, dbPass,
                        db.string("host", ""), db.integer("port", 5432, "db.")),
                new Worker(worker.string("name").orElseGet(ConveyorConfig::hostname),
                        worker.integer("job_retries", 3, "worker."),
                        worker.string("temp_dir", "/tmp/conveyor-worker")));
    }

    /** Upstream's required-key checks, in upstream's order, with its messages. */
    public void validate(Profile profile) {
        require(sharedKey, "shared API key is unset");
        require(queue.username(), "RabbitMQ username is unset");
        require(queue.password(), "RabbitMQ password is unset");
        require(queue.host(), "RabbitMQ hostname is unset");
        if (profile == Profile.SERVER) {
            require(db.type(), "Database type is unset");
            require(db.database(), "Database name is unset");
            require(db.username(), "Database username is unset");
            require(db.password(), "Database password is unset");
            require(db.host(), "Database hostname is unset");
        }
    }

    /** The server accepts only {@code postgres}; upstream's message for anything else. */
    public void requirePostgres() {
        if (!"postgres".equals(db.type().toLowerCase(Locale.ROOT))) {
            throw new ConfigException("unknown database type");
        }
    }

    /** True when {@code CONVEYOR_MOCK_WORKER} is {@code true}, {@code yes} or {@code on}. */
    public static boolean mockWorker(Function<String, String> env) {
        String v = env.apply("CONVEYOR_MOCK_WORKER");
        return v != null && switch (v.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on" -> true;
            default -> false;
        };
    }

    public ConveyorConfig withDebug(boolean flag) {
        return new ConveyorConfig(sharedKey, jobWaitTimeout, debug || flag, logTimestamps, server, queue, db, worker);
    }

    public ConveyorConfig withLogTimestamps(boolean flag) {
        return new ConveyorConfig(sharedKey, jobWaitTimeout, debug, logTimestamps || flag, server, queue, db, worker);
    }

    public ConveyorConfig withWorker(Worker replacement) {
        return new ConveyorConfig(sharedKey, jobWaitTimeout, debug, logTimestamps, server, queue, db, replacement);
    }

    /** Flat view for tooling (e.g. a MicroProfile ConfigSource): {@code conveyor.<section>.<key>}. */
    public Map<String, String> asProperties() {
        return Map.ofEntries(
                Map.entry("conveyor.shared-key", sharedKey),
                Map.entry("conveyor.job-wait-timeout", Integer.toString(jobWaitTimeout)),
                Map.entry("conveyor.debug", Boolean.toString(debug)),
                Map.entry("conveyor.log-timestamps", Boolean.toString(logTimestamps)),
                Map.entry("conveyor.server.host", server.host()),
                Map.entry("conveyor.server.port", Integer.toString(server.port())),
                Map.entry("conveyor.queue.username", queue.username()),
                Map.entry("conveyor.queue.password", queue.password()),
                Map.entry("conveyor.queue.host", queue.host()),
                Map.entry("conveyor.queue.port", Integer.toString(queue.port())),
                Map.entry("conveyor.queue.vhost", queue.vhost()),
                Map.entry("conveyor.queue.new-job-exchange", queue.newJobExchange()),
                Map.entry("conveyor.queue.new-job-queue", queue.newJobQueue()),
                Map.entry("conveyor.queue.completed-job-exchange", queue.completedJobExchange()),
                Map.entry("conveyor.db.type", db.type()),
                Map.entry("conveyor.db.database", db.database()),
                Map.entry("conveyor.db.username", db.username()),
                Map.entry("conveyor.db.password", db.password()),
                Map.entry("conveyor.db.host", db.host()),
                Map.entry("conveyor.db.port", Integer.toString(db.port())),
                Map.entry("conveyor.worker.name", worker.name()),
                Map.entry("conveyor.worker.job-retries", Integer.toString(worker.jobRetries())),
                Map.entry("conveyor.worker.temp-dir", worker.tempDir()));
    }

    private static void require(String value, String message) {
        if (value == null || value.isEmpty() || UNSET.equals(value)) {
            throw new ConfigException(INVALID + message);
        }
    }

    private static String override(Function<String, String> env, String variable, String value) {
        String v = env.apply(variable);
        return v == null || v.isEmpty() ? value : v;
    }

    private static String hostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            String h = System.getenv("HOSTNAME");
            return h == null ? "localhost" : h;
        }
    }
}
