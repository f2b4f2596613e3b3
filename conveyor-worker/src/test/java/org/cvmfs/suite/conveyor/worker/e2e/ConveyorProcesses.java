package org.cvmfs.suite.conveyor.worker.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.cvmfs.suite.protocol.testing.FreePorts;

/**
 * A Conveyor installation on this host for end-to-end tests: a fresh database on the shared
 * PostgreSQL, job queue names of its own on the shared RabbitMQ (the new-job exchange and queue
 * are configurable; only the dead-letter queue is shared), the packaged conveyor server and
 * workers as processes (kill -9 able).
 */
final class ConveyorProcesses implements AutoCloseable {
    final Path dir;
    final String database;
    final String jobQueue;
    final int serverPort;
    final Path config;
    private final List<Process> processes = new ArrayList<>();

    final int brokerPort;
    final int databasePort;

    ConveyorProcesses(Path dir) {
        this(dir, 5672);
    }

    /** With the broker on {@code brokerPort} (e.g. a {@code PrivateRabbitMq}). */
    ConveyorProcesses(Path dir, int brokerPort) {
        this(dir, brokerPort, 5432);
    }

    /**
     * With the broker on {@code brokerPort} and PostgreSQL (user postgres, trust) on 127.0.0.1:
     * {@code databasePort} (e.g. a {@code PrivatePostgres}).
     */
    ConveyorProcesses(Path dir, int brokerPort, int databasePort) {
        this.dir = dir;
        this.brokerPort = brokerPort;
        this.databasePort = databasePort;
        String id = UUID.randomUUID().toString().substring(0, 8);
        this.database = "conveyor_worker_e2e_" + id;
        this.jobQueue = "jobs.e2e-" + id;
        this.serverPort = FreePorts.next();
        this.config = dir.resolve("config.toml");
        try {
            run("psql", "-h", "127.0.0.1", "-p", Integer.toString(databasePort), "-U", "postgres", "-c",
                    "CREATE DATABASE " + database);
            Files.writeString(config, """
                    shared_key = "secret_key"
                    job_wait_timeout = 600
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
                    [worker]
                    job_retries = 3
                    """.formatted(serverPort, brokerPort, jobQueue, jobQueue, jobQueue, database, databasePort));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path jar(String module) {
        Path jar = Path.of(System.getProperty("user.dir")).toAbsolutePath().resolveSibling(module)
                .resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar + " is missing: mvn -pl " + module + " -am -DskipTests package first");
        }
        return jar;
    }

    /** What one {@code conveyor} CLI run left: exit code and its stdout JSON lines. */
    record CliResult(int exitCode, List<String> lines, String err) {
        /** {@code tail -1 | jq -r .job_id}. */
        String lastJobId() {
            if (lines.isEmpty()) {
                throw new AssertionError("no output: " + this);
            }
            return field(lines.get(lines.size() - 1), "job_id");
        }

        static String field(String jsonLine, String name) {
            try {
                return new com.fasterxml.jackson.databind.ObjectMapper().readTree(jsonLine).path(name).asText();
            } catch (IOException e) {
                throw new AssertionError("not a JSON line: " + jsonLine, e);
            }
        }
    }

    /**
     * {@code deploy/bin/conveyor SUBCOMMAND -c config.toml ARGS...} as a process, as a CI script
     * runs it; {@code stdin} (may be null) is written to its standard input. Bounded: killed after
     * {@code job_wait_timeout} plus a minute.
     */
    CliResult cli(String stdin, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(launcher("conveyor").toString()));
        cmd.add(args[0]);
        cmd.addAll(List.of("-c", config.toString()));
        cmd.addAll(List.of(args).subList(1, args.length));
        Path err = Files.createTempFile(dir, "cli", ".err");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(err.toFile());
        pb.environment().put("CVMFS_SUITE_CACHE", dir.resolve("cli-cache").toString());
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!p.waitFor(11, java.util.concurrent.TimeUnit.MINUTES)) {
            p.destroyForcibly().waitFor();
        }
        return new CliResult(p.exitValue(), out.lines().toList(), Files.readString(err));
    }

    /** A launcher of this checkout's {@code deploy/bin}. */
    static Path launcher(String name) {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().resolveSibling("deploy").resolve("bin").resolve(name);
    }

    /** Publishes raw bytes on this installation's new-job exchange, e.g. a message no worker can decode. */
    void publishRaw(byte[] body) throws Exception {
        try (var c = broker(); var ch = c.createChannel()) {
            ch.confirmSelect();
            ch.basicPublish(jobQueue, "", new com.rabbitmq.client.AMQP.BasicProperties.Builder()
                    .contentType("text/json").deliveryMode(2).build(), body);
            ch.waitForConfirmsOrDie(10_000);
        }
    }

    /** Messages waiting in {@code queue} (passive declare). */
    long messagesIn(String queue) throws Exception {
        try (var c = broker(); var ch = c.createChannel()) {
            return ch.queueDeclarePassive(queue).getMessageCount();
        }
    }

    /**
     * Starts collecting this installation's completion events ({@code jobs.done}): a durable queue
     * of the test's own bound with {@code #}, the exchange declared with upstream's flags.
     */
    void watchCompletions() throws Exception {
        try (var c = broker(); var ch = c.createChannel()) {
            ch.exchangeDeclare(jobQueue + ".done", "topic", org.cvmfs.suite.protocol.conveyor.ConveyorTopology.COMPLETED_JOB_EXCHANGE_DURABLE,
                    false, null);
            ch.queueDeclare(completionWatch(), true, false, false, null);
            ch.queueBind(completionWatch(), jobQueue + ".done", "#");
        }
    }

    /** The completion events collected since the last call (their JSON bodies), in order. */
    List<String> takeCompletions() throws Exception {
        List<String> events = new ArrayList<>();
        try (var c = broker(); var ch = c.createChannel()) {
            for (var m = ch.basicGet(completionWatch(), true); m != null; m = ch.basicGet(completionWatch(), true)) {
                events.add(new String(m.getBody(), java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        return events;
    }

    private String completionWatch() {
        return jobQueue + ".watch";
    }

    private com.rabbitmq.client.Connection broker() throws Exception {
        var factory = new com.rabbitmq.client.ConnectionFactory();
        factory.setHost("127.0.0.1");
        factory.setPort(brokerPort);
        return factory.newConnection("conveyor-worker-e2e");
    }

    Process startServer() throws Exception {
        Process p = start("server", jar("conveyor-server"), List.of("-Dconveyor.config=" + config), Map.of(), List.of("server"));
        await(serverPort, p);
        return p;
    }

    /** A worker with its own temp and state dirs and health port; {@code env} e.g. CONVEYOR_MOCK_WORKER. */
    Process startWorker(String name, Map<String, String> env, String... extraJvm) throws Exception {
        int port = FreePorts.next();
        List<String> jvm = new ArrayList<>(List.of("-Dconveyor.config=" + config, "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1", "-Dconveyor.worker.state-dir=" + dir.resolve(name + "-state")));
        jvm.addAll(List.of(extraJvm));
        Process p = start(name, jar("conveyor-worker"), jvm, env,
                List.of("worker", "-n", name, "-T", dir.resolve(name + "-tmp").toString()));
        await(port, p);
        return p;
    }

    private Process start(String name, Path jar, List<String> jvm, Map<String, String> env, List<String> args)
            throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(jvm);
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve(name + ".log").toFile()));
        pb.environment().putAll(env);
        Process p = pb.start();
        processes.add(p);
        return p;
    }

    String log(String name) {
        try {
            return Files.readString(dir.resolve(name + ".log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private void await(int port, Process p) throws InterruptedException {
        if (!FreePorts.awaitListening(port, Duration.ofSeconds(120), p.toHandle())) {
            throw new IllegalStateException("process did not start listening on " + port + "; logs in " + dir);
        }
    }

    private static void run(String... cmd) throws IOException {
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes());
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + ": " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    @Override
    public void close() throws Exception {
        for (Process p : processes) {
            p.destroy();
        }
        for (Process p : processes) {
            if (!p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor();
            }
        }
        try {
            run("psql", "-h", "127.0.0.1", "-p", Integer.toString(databasePort), "-U", "postgres", "-c",
                    "DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
        } catch (IOException e) {
            System.err.println("could not drop the test's database: " + e.getMessage());
        }
        // this installation's objects on the shared broker
        try (var c = broker(); var ch = c.createChannel()) {
            for (String q : List.of(jobQueue, jobQueue + ".dead", completionWatch())) {
                ch.queueDelete(q);
            }
            for (String x : List.of(jobQueue, jobQueue + ".done", jobQueue + ".dead")) {
                ch.exchangeDelete(x);
            }
        } catch (IOException | RuntimeException e) {
            System.err.println("could not remove the test's broker objects: " + e);
        }
    }
}
