package org.cvmfs.suite.conveyor.worker.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.testing.ConveyorInstallation;

/**
 * The Conveyor installation of the worker's end-to-end tests: common-protocol's
 * {@link ConveyorInstallation} (a database of its own on the shared PostgreSQL, queue names of its
 * own, server and workers as processes, kill -9 able) with the tests' key, a {@code [worker]}
 * table, small heaps, and the {@code conveyor} CLI run as a CI script runs it.
 */
final class ConveyorProcesses implements AutoCloseable {
    /** The test daemons' JVM options: small heaps on a shared machine. */
    private static final List<String> JVM = List.of("-Xmx256m", "-XX:TieredStopAtLevel=1");

    final Path dir;
    final String database;
    final String jobQueue;
    final int serverPort;
    final Path config;
    final int brokerPort;
    final int databasePort;
    private final ConveyorInstallation installation;

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
        this.installation = new ConveyorInstallation(suite(), dir, "worker_e2e", "secret_key", 600, brokerPort, databasePort, """
                [worker]
                job_retries = 3
                """);
        this.dir = dir;
        this.brokerPort = brokerPort;
        this.databasePort = databasePort;
        this.database = installation.database();
        this.jobQueue = installation.jobQueue();
        this.serverPort = installation.serverPort();
        this.config = installation.config();
    }

    private static Path suite() {
        return Path.of(System.getProperty("user.dir")).toAbsolutePath().getParent();
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
        // calls after the first go through the launcher's resident client, as on a frontend; its
        // state is this installation's, and it exits by itself soon after the test's last call
        pb.environment().put("XDG_RUNTIME_DIR", dir.resolve("cli-runtime").toString());
        pb.environment().put("CONVEYOR_CLIENT_IDLE", "20");
        pb.environment().remove("JAVA_OPTS");
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
        return suite().resolve("deploy").resolve("bin").resolve(name);
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
        return installation.broker();
    }

    Process startServer() throws Exception {
        return installation.startServer(JVM);
    }

    /** A worker with its own temp and state dirs and health port; {@code env} e.g. CONVEYOR_MOCK_WORKER. */
    Process startWorker(String name, Map<String, String> env, String... extraJvm) throws Exception {
        List<String> jvm = new ArrayList<>(JVM);
        jvm.addAll(List.of(extraJvm));
        return installation.startWorker(name, env, jvm);
    }

    /** A client of this installation's server with the tests' key (few, quick transport retries). */
    org.cvmfs.suite.protocol.conveyor.ConveyorClient client() {
        return new org.cvmfs.suite.protocol.conveyor.ConveyorClient(java.net.URI.create("http://127.0.0.1:" + serverPort), "secret_key", 3,
                java.time.Duration.ofSeconds(1));
    }

    String log(String name) {
        return installation.log(name);
    }

    @Override
    public void close() throws Exception {
        // the completion watch of watchCompletions(), if any; the rest is the installation's
        try (var c = broker(); var ch = c.createChannel()) {
            ch.queueDelete(completionWatch());
        } catch (IOException | RuntimeException e) {
            System.err.println("could not remove the test's completion watch: " + e);
        }
        installation.close();
    }
}
