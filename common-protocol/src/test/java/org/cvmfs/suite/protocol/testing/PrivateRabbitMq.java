package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.files.DirectoryTree;

/**
 * A private RabbitMQ node for fault-injection tests: the machine's real {@code rabbitmq-server}
 * started as its own node (unique node name, free AMQP and distribution ports, data, logs,
 * config, cookie and enabled-plugins file in a temp dir, no plugins), so a test may stop, start
 * or kill it without touching the shared broker on 5672. Durable objects survive {@link #stop()}
 * + {@link #start()} because the Mnesia directory is kept until {@link #close()}. Login
 * {@code guest}/{@code guest} on loopback, vhost {@code /}.
 */
public final class PrivateRabbitMq implements AutoCloseable {
    private static final Path SERVER = Path.of("/usr/lib/rabbitmq/bin/rabbitmq-server");
    private static final Duration START_LIMIT = Duration.ofSeconds(90);

    private final Path dir;
    private final String nodeName;
    private final int amqpPort;
    private final int distPort;
    private Process process;

    private PrivateRabbitMq() {
        this.dir = DirectoryTree.createScratch(Path.of(System.getProperty("java.io.tmpdir")), "private-rabbitmq-");
        this.nodeName = "conveyortest" + UUID.randomUUID().toString().substring(0, 8) + "@localhost";
        this.amqpPort = FreePorts.next();
        this.distPort = FreePorts.next();
        try {
            Files.createDirectories(dir.resolve("mnesia"));
            Files.createDirectories(dir.resolve("log"));
            Files.writeString(dir.resolve("rabbitmq.conf"), "listeners.tcp.1 = 127.0.0.1:" + amqpPort + "\n"
                    + "loopback_users.guest = true\n");
            Files.writeString(dir.resolve("enabled_plugins"), "[].\n");
            Files.writeString(dir.resolve("rabbitmq-env.conf"), "# private test node: everything comes from the environment\n");
            Path cookie = Files.writeString(dir.resolve(".erlang.cookie"), UUID.randomUUID().toString().replace("-", ""));
            Files.setPosixFilePermissions(cookie, java.nio.file.attribute.PosixFilePermissions.fromString("r--------"));
        } catch (IOException e) {
            DirectoryTree.delete(dir);
            throw new UncheckedIOException(e);
        }
    }

    /** Starts a new node and waits until it accepts AMQP connections. */
    public static PrivateRabbitMq startNew() {
        PrivateRabbitMq node = new PrivateRabbitMq();
        try {
            node.start();
        } catch (RuntimeException e) {
            node.close();
            throw e;
        }
        return node;
    }

    public int amqpPort() {
        return amqpPort;
    }

    public String host() {
        return "127.0.0.1";
    }

    public String nodeName() {
        return nodeName;
    }

    /** (Re)starts the node on the same ports and data; returns once AMQP accepts connections. */
    public synchronized void start() {
        if (process != null && process.isAlive()) {
            return;
        }
        ProcessBuilder pb = new ProcessBuilder(SERVER.toString());
        Map<String, String> env = pb.environment();
        env.put("HOME", dir.toString());
        env.put("RABBITMQ_NODENAME", nodeName);
        env.put("RABBITMQ_NODE_IP_ADDRESS", "127.0.0.1");
        env.put("RABBITMQ_NODE_PORT", Integer.toString(amqpPort));
        env.put("RABBITMQ_DIST_PORT", Integer.toString(distPort));
        env.put("RABBITMQ_MNESIA_BASE", dir.resolve("mnesia").toString());
        env.put("RABBITMQ_LOG_BASE", dir.resolve("log").toString());
        env.put("RABBITMQ_CONFIG_FILE", dir.resolve("rabbitmq.conf").toString());
        env.put("RABBITMQ_ADVANCED_CONFIG_FILE", dir.resolve("advanced.config").toString());
        env.put("RABBITMQ_ENABLED_PLUGINS_FILE", dir.resolve("enabled_plugins").toString());
        env.put("RABBITMQ_CONF_ENV_FILE", dir.resolve("rabbitmq-env.conf").toString());
        env.put("RABBITMQ_PID_FILE", dir.resolve("rabbitmq.pid").toString());
        env.put("RABBITMQ_LOGS", dir.resolve("log/node.log").toString());
        env.put("ERL_EPMD_ADDRESS", "127.0.0.1");
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("log/console.log").toFile()));
        try {
            process = pb.start();
            if (!FreePorts.awaitListening(amqpPort, START_LIMIT, process.toHandle())) {
                String log = Files.exists(dir.resolve("log/console.log")) ? Files.readString(dir.resolve("log/console.log")) : "";
                kill();
                throw new IllegalStateException("private RabbitMQ did not start on port " + amqpPort + ":\n" + tail(log));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + SERVER, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Graceful shutdown (SIGTERM, as systemd does); returns when the node has exited. */
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                kill();
            }
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            FreePorts.awaitClosed(amqpPort, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    /** {@code kill -9} of the node and all its processes: a crash. */
    public synchronized void kill() {
        if (process == null) {
            return;
        }
        process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
            FreePorts.awaitClosed(amqpPort, Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    public synchronized void close() {
        try {
            stop();
        } finally {
            DirectoryTree.delete(dir);
        }
    }

    static String tail(String log) {
        return log.length() > 4000 ? log.substring(log.length() - 4000) : log;
    }
}
