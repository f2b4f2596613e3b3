package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * A Conveyor installation on this host, set up as the tutorial does: a fresh database on the
 * shared PostgreSQL, exchange and queue names of its own on a RabbitMQ (the shared one, or a
 * {@link PrivateRabbitMq}; only the dead-letter queue name is shared), a {@code config.toml}
 * naming them, and the packaged server and workers started with this checkout's
 * {@code deploy/bin/conveyor} (which execs the JVM, so {@code kill -9} of the process kills the
 * daemon). Closing stops the processes and removes the database and the broker objects. One
 * place for the worker's end-to-end tests and {@code bench/run.sh conveyor} alike.
 */
public final class ConveyorInstallation implements AutoCloseable {
    /** Bound on a daemon's start: far above a healthy start on a busy machine. */
    static final Duration START_LIMIT = Duration.ofSeconds(120);

    private final Path suite;
    private final Path dir;
    private final String database;
    private final String jobQueue;
    private final int serverPort;
    private final int brokerPort;
    private final int databasePort;
    private final Path config;
    private final List<Process> processes = new ArrayList<>();

    /**
     * Creates the database and writes {@code dir/config.toml}: {@code shared_key} {@code sharedKey},
     * {@code job_wait_timeout} {@code jobWaitTimeout} seconds, the broker on {@code brokerPort},
     * then {@code extraToml} (e.g. a {@code [worker]} table). {@code name} tells the database
     * ({@code conveyor_NAME_ID}) and queues ({@code jobs.NAME-ID}) of this installation apart.
     */
    public ConveyorInstallation(Path suite, Path dir, String name, String sharedKey, int jobWaitTimeout, int brokerPort,
            String extraToml) {
        this(suite, dir, name, sharedKey, jobWaitTimeout, brokerPort, 5432, extraToml);
    }

    /** As above, with PostgreSQL (user postgres, trust) on 127.0.0.1:{@code databasePort}, e.g. a {@link PrivatePostgres}. */
    public ConveyorInstallation(Path suite, Path dir, String name, String sharedKey, int jobWaitTimeout, int brokerPort,
            int databasePort, String extraToml) {
        this.suite = suite;
        this.dir = dir;
        this.brokerPort = brokerPort;
        this.databasePort = databasePort;
        String id = UUID.randomUUID().toString().substring(0, 8);
        this.database = "conveyor_" + name.replace('-', '_') + "_" + id;
        this.jobQueue = "jobs." + name + "-" + id;
        this.serverPort = FreePorts.next();
        this.config = dir.resolve("config.toml");
        try {
            run("psql", "-h", "127.0.0.1", "-p", Integer.toString(databasePort), "-U", "postgres", "-q", "-c",
                    "CREATE DATABASE " + database);
            Files.writeString(config, """
                    shared_key = "%s"
                    job_wait_timeout = %d
                    [server]
                    host = "127.0.0.1"
                    port = %d
                    [queue]
                    username = "guest"
                    password = "guest"
                    host = "127.0.0.1"
                    port = %d
                    vhost = "/"
                    new_job_exchange = "%s"
                    new_job_queue = "%s"
                    completed_job_exchange = "%s.done"
                    [db]
                    type = "postgres"
                    database = "%s"
                    username = "postgres"
                    password = "unused"
                    host = "127.0.0.1"
                    port = %d
                    """.formatted(sharedKey, jobWaitTimeout, serverPort, brokerPort, jobQueue, jobQueue, jobQueue, database,
                    databasePort)
                    + extraToml);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public Path dir() {
        return dir;
    }

    public Path config() {
        return config;
    }

    public String database() {
        return database;
    }

    /** The new-job exchange and queue; {@code .done} is the completed-job exchange. */
    public String jobQueue() {
        return jobQueue;
    }

    public int serverPort() {
        return serverPort;
    }

    public int brokerPort() {
        return brokerPort;
    }

    public int databasePort() {
        return databasePort;
    }

    /** This checkout's {@code deploy/bin/conveyor}. */
    public Path launcher() {
        return suite.resolve("deploy/bin/conveyor");
    }

    /** The server, its log in {@code dir/server.log}; returns once it is ready. {@code jvm}: JAVA_OPTS. */
    public Process startServer(List<String> jvm) throws IOException, InterruptedException {
        Process p = start("server", Map.of(), jvm, List.of("server"));
        awaitReady(serverPort, p, "the conveyor server");
        return p;
    }

    /**
     * A worker named {@code name}, with its own temp and state directories and health port, its
     * log in {@code dir/NAME.log}; returns once it is ready. {@code env} e.g. CONVEYOR_MOCK_WORKER
     * or CVMFS_SUITE_PREFIX; {@code jvm}: JAVA_OPTS.
     */
    public Process startWorker(String name, Map<String, String> env, List<String> jvm) throws IOException, InterruptedException {
        int port = FreePorts.next();
        List<String> opts = new ArrayList<>(List.of("-Dquarkus.http.port=" + port, "-Dquarkus.http.host=127.0.0.1",
                "-Dconveyor.worker.state-dir=" + dir.resolve(name + "-state")));
        opts.addAll(jvm);
        Process p = start(name, env, opts, List.of("worker", "-n", name, "-T", dir.resolve(name + "-tmp").toString()));
        awaitReady(port, p, name);
        return p;
    }

    private Process start(String name, Map<String, String> env, List<String> jvm, List<String> args) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(launcher().toString()));
        cmd.addAll(args);
        cmd.addAll(List.of("-c", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
        pb.environment().putAll(env);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JAVA_OPTS", String.join(" ", jvm));
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    /** Until {@code /q/health/ready} on {@code port} answers 200; fails at once if the process exits. */
    private void awaitReady(int port, Process p, String what) throws InterruptedException {
        boolean up = HttpReady.await(URI.create("http://127.0.0.1:" + port + "/q/health/ready"), p, START_LIMIT);
        if (!p.isAlive()) {
            throw new IllegalStateException(what + " exited with " + p.exitValue() + "; logs in " + dir);
        }
        if (!up) {
            throw new IllegalStateException(what + " was not ready on port " + port + " within " + START_LIMIT + "; logs in " + dir);
        }
    }

    /** What the process started as {@code name} wrote so far. */
    public String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops {@code ps} (SIGTERM, then SIGKILL after 90 s each). */
    public static void stop(List<Process> ps) throws InterruptedException {
        for (Process p : ps) {
            p.destroy();
        }
        for (Process p : ps) {
            if (!p.waitFor(90, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
    }

    private static void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** A connection to this installation's broker. */
    public com.rabbitmq.client.Connection broker() throws IOException {
        var factory = new com.rabbitmq.client.ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(brokerPort);
        try {
            return factory.newConnection("conveyor-installation");
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        stop(processes);
        try {
            run("psql", "-h", "127.0.0.1", "-p", Integer.toString(databasePort), "-U", "postgres", "-q", "-c",
                    "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (IOException e) {
            System.err.println("could not drop " + database + ": " + e.getMessage());
        }
        try (var c = broker(); var ch = c.createChannel()) {
            for (String q : List.of(jobQueue, jobQueue + ".dead")) {
                ch.queueDelete(q);
            }
            for (String x : List.of(jobQueue, jobQueue + ".done", jobQueue + ".dead")) {
                ch.exchangeDelete(x);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("could not remove the installation's broker objects: " + e);
        }
    }
}
