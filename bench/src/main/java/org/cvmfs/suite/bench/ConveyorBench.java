package org.cvmfs.suite.bench;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.conveyor.JobSpecification;
import org.cvmfs.suite.protocol.conveyor.Replies;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.testing.ConveyorInstallation;
import org.cvmfs.suite.protocol.testing.FreePorts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Conveyor end to end, as the tutorial's {@code submit_jobs.sh} drives it: the packaged server
 * and workers started with {@code deploy/bin/conveyor}, on the machine's PostgreSQL (a database
 * of its own) and RabbitMQ (queue names of its own): common-protocol's test-support
 * {@code ConveyorInstallation}, the one the worker's end-to-end tests start. For 1 and 2 workers:
 * <ul>
 * <li>N no-op jobs in mock mode ({@code CONVEYOR_MOCK_WORKER}), one {@code conveyor submit}
 *     process per job, then one job depending on all of them with {@code --wait}: served by the
 *     resident client (issue 8; the bench's own, in its work directory, stopped at the end), and
 *     again with {@code CONVEYOR_CLIENT_DAEMON=off} (a JVM per call); and the same with one
 *     {@code conveyor submit --batch -};</li>
 * <li>M real jobs whose script writes one small file, published through the packaged gateway
 *     from one publisher host per worker;</li>
 * </ul>
 * printing jobs/s end to end (first submit to the dependent job's end), submit-to-done latency
 * p50/p99 (the server's submit and finish times), {@code conveyor submit}'s wall and CPU time (the
 * launcher's and, per call, the resident client's), and
 * the CPU time the server and the workers spent per job (a figure that other load on the machine
 * does not inflate as it does wall time).
 * The baseline: the same M publications made directly with {@code cvmfs_server transaction} +
 * {@code publish} on one publisher host.
 *
 * <p>Usage: {@code bench/run.sh conveyor [--jobs N] [--real-jobs M] [--dir PATH] [--keep] [--batch-only] [--jvm-arg ARG]...}
 */
public final class ConveyorBench {
    private static final String REPO = "bench.conveyor.local";
    private static final Pattern TIMES = Pattern.compile("(\\d+)m([\\d.]+)s (\\d+)m([\\d.]+)s\\s*$");
    private static final Pattern OPEN_IN = Pattern.compile(" open in (.+) \\(revision ");

    private final Path suite;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<String> jvmArgs;
    private final boolean batchOnly;
    private ConveyorInstallation conveyor;
    /** The resident client for every call, whatever the caller's environment says; off for the cold rows. */
    private static final Map<String, String> RESIDENT = Map.of("CONVEYOR_CLIENT_DAEMON", "on");
    private static final Map<String, String> A_JVM_EACH = Map.of("CONVEYOR_CLIENT_DAEMON", "off");
    /** Environment of the {@code conveyor} calls beyond the bench's own. */
    private Map<String, String> cliEnvironment = RESIDENT;

    private ConveyorBench(Path suite, Path dir, List<String> jvmArgs, boolean batchOnly) {
        this.suite = suite;
        this.dir = dir;
        this.jvmArgs = List.copyOf(jvmArgs);
        this.batchOnly = batchOnly;
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Arguments()).execute(args));
    }

    /** The benchmark's command line, parsed by picocli as every other command of the suite. */
    @Command(name = "bench/run.sh conveyor", mixinStandardHelpOptions = true,
            description = "Conveyor end to end: mock and real jobs with 1 and 2 workers, against direct cvmfs_server publications.")
    static final class Arguments implements Callable<Integer> {
        @Option(names = "--jobs", paramLabel = "N", defaultValue = "20", description = "mock jobs per case (default ${DEFAULT-VALUE})")
        int jobs;
        @Option(names = "--real-jobs", paramLabel = "M", defaultValue = "5",
                description = "real jobs (and baseline publications) per case (default ${DEFAULT-VALUE})")
        int realJobs;
        @Option(names = "--dir", paramLabel = "PATH", description = "work directory (default: a new temporary one)")
        Path base;
        @Option(names = "--keep", description = "keep the work directory")
        boolean keep;
        @Option(names = "--batch-only", description = "mock rounds with submit --batch only (no process per job)")
        boolean batchOnly;
        @Option(names = "--jvm-arg", paramLabel = "ARG",
                description = "JVM option of the server and the workers, e.g. -XX:StartFlightRecording=filename=DIR/,settings=profile (repeatable)")
        List<String> jvmArgs = new ArrayList<>();

        @Override
        public Integer call() throws Exception {
            Path suite = Path.of(System.getProperty("cvmfs.suite.home", "")).toAbsolutePath();
            Path dir = base == null ? Files.createTempDirectory("conveyor-bench") : Files.createDirectories(base);
            ConveyorBench bench = new ConveyorBench(suite, dir, jvmArgs, batchOnly);
            try {
                bench.run(Math.max(1, jobs), Math.max(0, realJobs));
            } finally {
                bench.close();
                if (!keep) {
                    DirectoryTree.delete(dir);
                }
            }
            return 0;
        }
    }

    private void run(int jobs, int realJobs) throws Exception {
        System.out.printf(Locale.ROOT, "cpus: %d, java %s, load average %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Files.readString(Path.of("/proc/loadavg")).trim());
        conveyor = new ConveyorInstallation(suite, dir, "bench", "bench_key", 900, 5672, "");
        conveyor.startServer(jvmArgs);
        int serverPort = conveyor.serverPort();
        ConveyorClient client = new ConveyorClient(URI.create("http://127.0.0.1:" + serverPort), "bench_key", 3, Duration.ofSeconds(1));
        // the first submit writes the AppCDS archive and starts the resident client: not measured
        cli(null, "submit", "-r", "warm.up", "-l", "/");
        awaitResidentClient();

        for (int workers = 1; workers <= 2; workers++) {
            List<Process> started = startWorkers(workers, Map.of("CONVEYOR_MOCK_WORKER", "true"), List.of());
            double batch = round(client, "mock, " + workers + " worker(s), submit --batch", jobs, "mock.test", i -> "", true);
            if (batchOnly) {
                ConveyorInstallation.stop(started);
                Results.print("conveyor: " + jobs + " mock jobs, " + workers + " worker(s), submit --batch", batch, "jobs/s");
                continue;
            }
            double perProcess = round(client, "mock, " + workers + " worker(s), one submit process per job", jobs, "mock.test", i -> "", false);
            serverSubmitLatency(client, workers, jobs);
            cliEnvironment = A_JVM_EACH;
            double cold = round(client, "mock, " + workers + " worker(s), one submit process per job, CONVEYOR_CLIENT_DAEMON=off", jobs,
                    "mock.test", i -> "", false);
            cliEnvironment = RESIDENT;
            ConveyorInstallation.stop(started);
            Results.print("conveyor: " + jobs + " mock jobs, " + workers + " worker(s), one submit process per job", perProcess, "jobs/s");
            Results.print("conveyor: " + jobs + " mock jobs, " + workers + " worker(s), one submit process per job, a JVM each"
                    + " (CONVEYOR_CLIENT_DAEMON=off)", cold, "jobs/s");
            Results.print("conveyor: " + jobs + " mock jobs, " + workers + " worker(s), --batch / one process per job", batch, perProcess,
                    "jobs/s");
        }
        if (realJobs > 0) {
            real(client, realJobs);
        }
    }

    /** Real jobs: gateway host, two publisher hosts, the script writes one small file. */
    private void real(ConveyorClient client, int realJobs) throws Exception {
        Path gatewayHost = dir.resolve("gateway");
        int gatewayPort = FreePorts.next();
        exec(suite.resolve("deploy/bin/cvmfs_server").toString(), "--prefix", gatewayHost.toString(), "mkfs", "-o", "root", REPO);
        Files.writeString(gatewayHost.resolve("etc/cvmfs/keys/" + REPO + ".gw"), "plain_text key1 bench_secret\n");
        Path gatewayConfig = Files.createDirectories(gatewayHost.resolve("etc/cvmfs/gateway"));
        Files.writeString(gatewayConfig.resolve("repo.json"), "{\"version\": 2, \"repos\": [\"" + REPO + "\"]}\n");
        Files.writeString(gatewayConfig.resolve("user.json"), "{\"port\": " + gatewayPort + ", \"log_level\": \"info\"}\n");
        ProcessBuilder gpb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.host=127.0.0.1", "-jar", suite.resolve("gateway-service/target/quarkus-app/quarkus-run.jar").toString());
        gpb.environment().put("CVMFS_SUITE_PREFIX", gatewayHost.toString());
        gpb.redirectErrorStream(true).redirectOutput(dir.resolve("gateway.log").toFile());
        Process gateway = gpb.start();
        processes.add(gateway);
        ServiceProcess.awaitReady(URI.create("http://127.0.0.1:" + gatewayPort + "/api/v1/repos"), gateway, "the gateway");
        List<Path> publishers = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            Path host = dir.resolve("publisher-" + i);
            exec(suite.resolve("deploy/bin/cvmfs_server").toString(), "--prefix", host.toString(), "mkfs", "-o", "root",
                    "-k", gatewayHost.resolve("etc/cvmfs/keys").toString(),
                    "-u", "gw," + host.resolve("var/spool/cvmfs/" + REPO + "/tmp") + "/,http://127.0.0.1:" + gatewayPort + "/api/v1",
                    "-w", "http://127.0.0.1:" + gatewayPort + "/cvmfs/" + REPO, REPO);
            publishers.add(host);
        }
        String script = "#!/bin/sh\nset -e\nmkdir -p \"$CONVEYOR_LEASE_DIR\"\necho \"$CONVEYOR_JOB_ID\" > \"$CONVEYOR_LEASE_DIR/file.txt\"\n";
        HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] body = script.getBytes(StandardCharsets.UTF_8);
        http.createContext("/job.sh", ex -> {
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        http.start();
        String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
        String payload = "script|http://127.0.0.1:" + http.getAddress().getPort() + "/job.sh?checksum=sha1:" + sha1 + "|x";
        try {
            double[] rates = new double[3];
            for (int workers = 1; workers <= 2; workers++) {
                List<Process> started = startWorkers(workers, Map.of(), publishers);
                final int w = workers;
                rates[workers] = round(client, "real (one small file), " + workers + " worker(s), one submit process per job", realJobs, REPO,
                        i -> payload, false, "/w" + w + "-");
                ConveyorInstallation.stop(started);
            }
            // baseline: the same publications straight from one publisher host
            String cvmfsServer = suite.resolve("deploy/bin/cvmfs_server").toString();
            long t0 = System.nanoTime();
            for (int i = 0; i < realJobs; i++) {
                String out = exec(cvmfsServer, "--prefix", publishers.get(0).toString(), "transaction", REPO + "/direct-" + i);
                Matcher m = OPEN_IN.matcher(out);
                if (!m.find()) {
                    throw new IllegalStateException("transaction did not say where to write: " + out);
                }
                Files.writeString(Path.of(m.group(1)).resolve("file.txt"), "direct " + i + "\n");
                exec(cvmfsServer, "--prefix", publishers.get(0).toString(), "publish", REPO);
            }
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.printf(Locale.ROOT, "baseline cvmfs_server transaction+publish, %d publications: %.1f s, %.2f publications/s, "
                    + "%.2f s each%n", realJobs, s, realJobs / s, s / realJobs);
            for (int workers = 1; workers <= 2; workers++) {
                Results.print("conveyor: " + realJobs + " real jobs, " + workers + " worker(s) / cvmfs_server transaction+publish",
                        rates[workers], realJobs / s, "jobs/s");
            }
            exec(cvmfsServer, "--prefix", gatewayHost.toString(), "check", REPO);
        } finally {
            http.stop(0);
        }
    }

    /**
     * The server's share of a {@code conveyor submit}: {@code n} jobs submitted one after the other
     * by this process's client (no process, no resident client), with the workers running; the
     * rest of a call's wall time is the launcher's and the resident client's.
     */
    private void serverSubmitLatency(ConveyorClient client, int workers, int n) {
        List<Double> each = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            long t0 = System.nanoTime();
            Replies.PostNewJobReply reply = client.submit(new JobSpecification("", "mock.test", "", "/latency-" + i, List.of()));
            each.add((System.nanoTime() - t0) / 1e6);
            if (!reply.isOk()) {
                throw new IllegalStateException("submit refused: " + reply.reason());
            }
        }
        each.sort(null);
        System.out.printf(Locale.ROOT, "    of which the server: submit round trip from an in-process client, %d workers, "
                + "%d jobs: p50 %.1f ms, p99 %.1f ms%n", workers, n, pct(each, 50), pct(each, 99));
    }

    private interface Payloads {
        String of(int i);
    }

    private double round(ConveyorClient client, String title, int n, String repo, Payloads payloads, boolean batch) throws Exception {
        return round(client, title, n, repo, payloads, batch, "/p-" + UUID.randomUUID().toString().substring(0, 6) + "-");
    }

    /** Runs one round and returns its jobs/s, first submit to the end of the dependent job's --wait. */
    private double round(ConveyorClient client, String title, int n, String repo, Payloads payloads, boolean batch, String prefix)
            throws Exception {
        List<String> ids = new ArrayList<>();
        List<Double> wall = new ArrayList<>();
        List<Double> cpu = new ArrayList<>();
        Map<Long, Duration> daemonCpu0 = daemonCpu();
        Duration resident0 = residentClientCpu();
        long t0 = System.nanoTime();
        if (batch) {
            StringBuilder lines = new StringBuilder();
            for (int i = 0; i < n; i++) {
                lines.append("{\"Repository\":\"").append(repo).append("\",\"LeasePath\":\"").append(prefix).append(i)
                        .append("\",\"Payload\":\"").append(payloads.of(i)).append("\"}\n");
            }
            Cli r = cli(lines.toString(), "submit", "--batch", "-");
            ids.addAll(r.lines);
            wall.add(r.wall);
            cpu.add(r.cpu);
        } else {
            List<String> each = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                each.add(payloads.of(i));
            }
            SubmitLoop r = submitLoop(repo, prefix, each);
            ids.addAll(r.ids);
            wall.addAll(r.walls);
            cpu.add(r.cpuPerSubmit);
        }
        double residentPerCall = (residentClientCpu().minus(resident0).toNanos() / 1e9) / n;
        Cli last = cli(null, "submit", "-r", repo, "-d", String.join(",", ids), "--wait");
        double total = (System.nanoTime() - t0) / 1e9;
        Map<Long, Duration> daemonCpu1 = daemonCpu();
        double daemonSeconds = daemonCpu1.entrySet().stream().filter(e -> daemonCpu0.containsKey(e.getKey()))
                .mapToDouble(e -> e.getValue().minus(daemonCpu0.get(e.getKey())).toNanos() / 1e9).sum();
        ids.add(jobId(last.lines.get(0)));
        List<JobRecord> records = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += 100) {
            records.addAll(client.list(JobQuery.ofIds(ids.subList(from, Math.min(ids.size(), from + 100)))).jobs());
        }
        List<Double> latency = new ArrayList<>();
        long ok = 0;
        for (JobRecord j : records) {
            if ("succeeded".equals(j.state())) {
                ok++;
            }
            if (j.finishTime() != null) {
                latency.add(Duration.between(j.submitTime(), j.finishTime()).toMillis() / 1e3);
            }
        }
        latency.sort(null);
        wall.sort(null);
        System.out.printf(Locale.ROOT, "%s: %d+1 jobs, %d succeeded, %.1f s, %.2f jobs/s; submit-to-done p50 %.2f s, p99 %.2f s; "
                        + "conveyor submit%s wall p50 %.2f s (max %.2f), CPU mean %.2f s; server + workers CPU %.1f ms per job%n",
                title, n, ok, total, ids.size() / total,
                pct(latency, 50), pct(latency, 99), batch ? " --batch (one process)" : "", pct(wall, 50), wall.get(wall.size() - 1),
                cpu.stream().mapToDouble(Double::doubleValue).average().orElse(0) + (batch ? 0 : residentPerCall),
                daemonSeconds * 1e3 / ids.size());
        return ids.size() / total;
    }

    /**
     * CPU time so far of the daemons this benchmark started (server and workers: the JVMs among
     * its descendants that run a Quarkus jar), by pid: what a round costs them, whatever else
     * loads the machine.
     */
    private static Map<Long, Duration> daemonCpu() {
        Map<Long, Duration> cpu = new java.util.HashMap<>();
        ProcessHandle.current().descendants().forEach(p -> {
            ProcessHandle.Info info = p.info();
            if (info.arguments().map(a -> String.join(" ", a).contains("quarkus-run.jar")).orElse(false)) {
                info.totalCpuDuration().ifPresent(d -> cpu.put(p.pid(), d));
            }
        });
        return cpu;
    }

    /** The bench's resident client: its state lives under {@link #dir} (XDG_RUNTIME_DIR of every call). */
    private Optional<ProcessHandle> residentClient() {
        try (Stream<ProcessHandle> all = ProcessHandle.allProcesses()) {
            return all.filter(p -> p.info().commandLine().map(c -> c.contains("ResidentClient") && c.contains(dir.toString()))
                    .orElse(false)).findFirst();
        }
    }

    private Duration residentClientCpu() {
        return residentClient().flatMap(p -> p.info().totalCpuDuration()).orElse(Duration.ZERO);
    }

    /** Waits (at most a minute) until the resident client started by the warm-up listens. */
    private void awaitResidentClient() throws IOException, InterruptedException {
        Path states = dir.resolve("run/cvmfs-suite/resident");
        for (int i = 0; i < 600; i++) {
            if (Files.isDirectory(states)) {
                try (Stream<Path> files = Files.list(states)) {
                    if (files.anyMatch(f -> f.toString().endsWith(".state"))) {
                        return;
                    }
                }
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("no resident conveyor client started within a minute");
    }

    private static double pct(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static String jobId(String jsonLine) {
        Matcher m = Pattern.compile("\"job_id\":\"([0-9a-f-]{36})\"").matcher(jsonLine);
        if (!m.find()) {
            throw new IllegalStateException("no job_id in " + jsonLine);
        }
        return m.group(1);
    }

    private record Cli(List<String> lines, double wall, double cpu) {
    }

    /** {@code deploy/bin/conveyor SUB -c config ARGS} under bash, whose {@code times} gives the child's CPU time. */
    private Cli cli(String stdin, String sub, String... args) throws IOException, InterruptedException {
        StringBuilder cmd = new StringBuilder("\"$0\" \"$1\" -c \"$2\"");
        for (int i = 0; i < args.length; i++) {
            cmd.append(" \"${").append(i + 3).append("}\"");
        }
        cmd.append("; rc=$?; times >&2; exit $rc");
        List<String> argv = new ArrayList<>(List.of("bash", "-c", cmd.toString(), conveyor.launcher().toString(),
                sub, conveyor.config().toString()));
        argv.addAll(List.of(args));
        Path err = Files.createTempFile(dir, "cli.", ".err");
        ProcessBuilder pb = new ProcessBuilder(argv).redirectError(err.toFile());
        pb.environment().put("CVMFS_SUITE_CACHE", dir.resolve("cache").toString());
        pb.environment().put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
        pb.environment().putAll(cliEnvironment);
        long t0 = System.nanoTime();
        Process p = pb.start();
        if (stdin != null) {
            p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        }
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException("conveyor " + sub + " did not end");
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        String errText = Files.readString(err);
        Files.delete(err);
        if (p.exitValue() != 0) {
            throw new IllegalStateException("conveyor " + sub + " " + String.join(" ", args) + " exited " + p.exitValue()
                    + ":\n" + out + errText);
        }
        List<String> errLines = errText.lines().toList();
        Matcher m = TIMES.matcher(errLines.isEmpty() ? "" : errLines.get(errLines.size() - 1));
        double cpu = m.find() ? Double.parseDouble(m.group(1)) * 60 + Double.parseDouble(m.group(2))
                + Double.parseDouble(m.group(3)) * 60 + Double.parseDouble(m.group(4)) : Double.NaN;
        return new Cli(out.lines().filter(l -> !l.isBlank()).toList(), wall, cpu);
    }

    private record SubmitLoop(List<String> ids, List<Double> walls, double cpuPerSubmit) {
    }

    /**
     * One {@code conveyor submit} process per job as a CI script or the tutorial's
     * {@code submit_jobs.sh} runs them: a bash loop, job {@code i} at lease path {@code prefix + i}
     * with payload {@code payloads[i]}; each call's wall time from bash's {@code EPOCHREALTIME}
     * (no process of its own), the calls' mean CPU time from {@code times}.
     */
    private SubmitLoop submitLoop(String repo, String prefix, List<String> payloads) throws IOException, InterruptedException {
        Path list = Files.write(Files.createTempFile(dir, "payloads.", ".txt"), payloads, StandardCharsets.UTF_8);
        Path walls = Files.createTempFile(dir, "walls.", ".txt");
        String script = "i=0; while IFS= read -r payload; do s=$EPOCHREALTIME; "
                + "\"$0\" submit -c \"$1\" -r \"$2\" -l \"$3$i\" -p \"$payload\" || exit; "
                + "echo \"$s $EPOCHREALTIME\" >> \"$5\"; i=$((i + 1)); done < \"$4\"; times >&2";
        ProcessBuilder pb = new ProcessBuilder("bash", "-c", script, conveyor.launcher().toString(), conveyor.config().toString(),
                repo, prefix, list.toString(), walls.toString());
        Path err = Files.createTempFile(dir, "loop.", ".err");
        pb.redirectError(err.toFile());
        pb.environment().put("CVMFS_SUITE_CACHE", dir.resolve("cache").toString());
        pb.environment().put("XDG_RUNTIME_DIR", dir.resolve("run").toString());
        pb.environment().putAll(cliEnvironment);
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("the submit loop failed:\n" + out + Files.readString(err));
        }
        List<String> errLines = Files.readAllLines(err);
        Matcher m = TIMES.matcher(errLines.isEmpty() ? "" : errLines.get(errLines.size() - 1));
        double cpu = m.find() ? (Double.parseDouble(m.group(1)) * 60 + Double.parseDouble(m.group(2))
                + Double.parseDouble(m.group(3)) * 60 + Double.parseDouble(m.group(4))) / payloads.size() : Double.NaN;
        List<Double> each = new ArrayList<>();
        for (String line : Files.readAllLines(walls)) {
            String[] t = line.split(" ");
            each.add(Double.parseDouble(t[1]) - Double.parseDouble(t[0]));
        }
        List<String> ids = out.lines().filter(l -> l.contains("job_id")).map(ConveyorBench::jobId).toList();
        if (ids.size() != payloads.size()) {
            throw new IllegalStateException(payloads.size() + " submits printed " + ids.size() + " job ids:\n" + out);
        }
        Files.delete(list);
        Files.delete(walls);
        Files.delete(err);
        return new SubmitLoop(ids, each, cpu);
    }

    private List<Process> startWorkers(int n, Map<String, String> env, List<Path> hosts) throws Exception {
        List<Process> started = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            Map<String, String> e = new java.util.HashMap<>(env);
            if (!hosts.isEmpty()) {
                e.put("CVMFS_SUITE_PREFIX", hosts.get(i - 1).toString());
            }
            started.add(conveyor.startWorker("worker-" + i + "-" + UUID.randomUUID().toString().substring(0, 4), e, jvmArgs));
        }
        return started;
    }

    private String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + ": " + out);
        }
        return out;
    }

    private void close() throws Exception {
        ConveyorInstallation.stop(processes);
        Optional<ProcessHandle> resident = residentClient();
        if (resident.isPresent()) {
            resident.get().destroy();
            resident.get().onExit().get(30, TimeUnit.SECONDS);
        }
        if (conveyor != null) {
            conveyor.close();
        }
    }
}
