package org.cvmfs.suite.conveyor.server.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.conveyor.ConveyorClient;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;
import org.cvmfs.suite.protocol.conveyor.JobListReply;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobRecord;
import org.cvmfs.suite.protocol.conveyor.JobSpecification;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.cvmfs.suite.protocol.conveyor.MalformedJobException;
import org.cvmfs.suite.protocol.conveyor.ProcessedJob;
import org.cvmfs.suite.protocol.conveyor.Replies;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.resident.Invocation;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * {@code conveyor submit} and {@code conveyor check}: a plain Java main (no Quarkus boot) so a
 * {@code submit} process starts in well under 300 ms; {@code server} and {@code worker} are
 * dispatched by {@code deploy/bin/conveyor} to their Quarkus jars. Flags, output lines and exit
 * codes follow upstream (spec 2): persistent flags before or after the sub-command, list flags
 * comma-separated and repeatable, JSON lines on stdout, exit 1 for every handled error. Unlike
 * upstream no broker connection is needed: waiting polls the server. The same code serves a
 * loop of calls in the {@link ResidentClient}: a command line runs with an {@link Invocation}
 * (streams, stdin, environment, working directory) and reaches for no process global.
 */
@Command(name = "conveyor", mixinStandardHelpOptions = false,
        description = "CernVM-FS Conveyor client")
public final class ConveyorCli implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, scope = ScopeType.INHERIT, description = "config file")
    Path config;
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "debug logging")
    boolean debug;
    @Option(names = "--log-timestamps", scope = ScopeType.INHERIT, description = "timestamps in log lines")
    boolean logTimestamps;
    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "help")
    boolean help;
    @Option(names = {"-v", "--version"}, versionHelp = true, description = "version")
    boolean version;

    /** The streams, environment and directory of this command line. */
    private final Invocation invocation;

    ConveyorCli(Invocation invocation) {
        this.invocation = invocation;
    }

    /** First argument of the class-data-sharing training run (see {@code run_suite_main} in deploy/lib/suite-launcher.sh). */
    static final String TRAINING = "--class-data-sharing-training";

    public static void main(String[] args) throws IOException {
        if (args.length == 2 && args[0].equals(TRAINING)) {
            train(Path.of(args[1]));
            return;
        }
        System.exit(run(Invocation.ofProcess(), args));
    }

    /**
     * The training run of the class-data-sharing archive: a {@code submit} and a {@code check}
     * against a stand-in server on a loopback port of this process (it accepts every request and
     * knows no job), so that the archive holds what a real submit loads (picocli, the TOML and
     * JSON readers, HMAC, the HTTP client, reply parsing) and no job is ever posted anywhere.
     */
    private static void train(Path scratch) throws IOException {
        Path dir = DirectoryTree.createScratch(scratch, "conveyor-training.");
        HttpServer standIn = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        standIn.createContext("/", exchange -> {
            byte[] reply = (exchange.getRequestURI().getPath().endsWith(ConveyorClient.NEW_JOB)
                    ? "{\"Status\":\"ok\",\"ID\":\"00000000-0000-0000-0000-000000000000\"}"
                    : "{\"Status\":\"ok\",\"Jobs\":[]}").getBytes(StandardCharsets.UTF_8);
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        standIn.start();
        try {
            Path config = dir.resolve("config.toml");
            Files.writeString(config, "shared_key = \"training\"\njob_wait_timeout = 1\n[queue]\nusername = \"training\"\n"
                    + "password = \"training\"\nhost = \"127.0.0.1\"\n[server]\nhost = \"127.0.0.1\"\nport = "
                    + standIn.getAddress().getPort() + "\n");
            run(Invocation.ofProcess(), "submit", "-c", config.toString(), "--repo", "training.cvmfs-suite.invalid", "--lease-path", "/a",
                    "--payload", "script|http://127.0.0.1:9/s.sh?checksum=sha1:0000000000000000000000000000000000000000|x");
            run(Invocation.ofProcess(), "check", "-c", config.toString(), "--ids", "00000000-0000-0000-0000-000000000000");
        } finally {
            standIn.stop(0);
            DirectoryTree.delete(dir);
        }
    }

    /** The sub-commands, each named by its {@code @Command}. */
    private static final List<Class<?>> SUBCOMMANDS = List.of(Submit.class, Check.class, Cancel.class);

    /** Runs one command line with the streams, environment and directory of {@code invocation}; returns its exit code. */
    static int run(Invocation invocation, String... args) {
        CommandLine cli = new CommandLine(new ConveyorCli(invocation));
        for (Class<?> sub : named(args)) {
            cli.addSubcommand(sub);
        }
        cli.getCommandSpec().version("conveyor version 0.1.0");
        cli.setOut(new PrintWriter(new OutputStreamWriter(invocation.out(), StandardCharsets.UTF_8), true));
        cli.setErr(new PrintWriter(new OutputStreamWriter(invocation.err(), StandardCharsets.UTF_8), true));
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            LogLine.error().with("error", String.valueOf(e.getMessage())).print(invocation.err(), false, "command failed");
            return 1;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            invocation.err().println("Error: " + e.getMessage());
            e.getCommandLine().usage(invocation.err());
            return 1;
        });
        try {
            return cli.execute(args);
        } finally {
            invocation.out().flush();
            invocation.err().flush();
        }
    }

    /**
     * The sub-commands whose names stand among {@code args}, or all when none does (the root's
     * usage lists them): picocli builds the model of every registered command by reflection at
     * start, and a {@code submit} process need not pay for {@code check}'s and {@code cancel}'s.
     * A sub-command's name given as an option's value ({@code -r check}) only registers one more.
     */
    static List<Class<?>> named(String... args) {
        List<String> words = List.of(args);
        List<Class<?>> named = SUBCOMMANDS.stream()
                .filter(c -> words.contains(c.getAnnotation(Command.class).name())).toList();
        return named.isEmpty() ? SUBCOMMANDS : named;
    }

    /** No sub-command: the usage, with every sub-command (no {@code @Spec}: one annotation type less to proxy at start). */
    @Override
    public Integer call() {
        CommandLine all = new CommandLine(new ConveyorCli(invocation));
        SUBCOMMANDS.forEach(all::addSubcommand);
        all.usage(invocation.out());
        return 0;
    }

    ConveyorConfig loadConfig() {
        try {
            Path file = config != null ? config : ConveyorConfig.defaultPath(invocation.env());
            return ConveyorConfig.load(file, invocation.workingDirectory(), ConveyorConfig.Profile.CLIENT, invocation.env())
                    .withDebug(debug).withLogTimestamps(logTimestamps);
        } catch (ConfigException e) {
            LogLine.error().with("error", e.getMessage()).print(invocation.err(), logTimestamps, "could not read config");
            return null;
        }
    }

    @Command(name = "submit", description = "submit a job")
    static final class Submit implements Callable<Integer> {
        @CommandLine.ParentCommand
        ConveyorCli root;
        @Option(names = {"-r", "--repo"}, description = "repository FQRN (required)")
        String repo;
        @Option(names = {"-l", "--lease-path"}, defaultValue = "/", description = "lease path")
        String leasePath;
        @Option(names = {"-p", "--payload"}, defaultValue = "", description = "payload string")
        String payload;
        @Option(names = {"-j", "--job-name"}, defaultValue = "", description = "job name")
        String jobName;
        @Option(names = {"-d", "--deps"}, split = ",", description = "ids of jobs that must succeed first")
        List<String> deps = new ArrayList<>();
        @Option(names = {"-w", "--wait"}, arity = "0..1", fallbackValue = "true", description = "wait for completion")
        boolean waitForIt;
        /**
         * Jobs per request of a {@code --batch} (at most {@link JobSpecification#BATCH_LIMIT}):
         * no job of a request reaches the workers before the request's commit, so 200 jobs in one
         * request kept two workers idle until the last was stored; in requests of 50, the workers
         * run the first ones while the next are posted.
         */
        static final int JOBS_PER_REQUEST = 50;

        @Option(names = "--batch", description = "submit one job per JSON line of FILE (- = stdin); prints ids one per line")
        String batch;

        @Override
        public Integer call() throws Exception {
            PrintStream out = root.invocation.out();
            PrintStream err = root.invocation.err();
            ConveyorConfig config = root.loadConfig();
            if (config == null) {
                return 1;
            }
            boolean ts = config.logTimestamps();
            ConveyorClient client = ConveyorClient.of(config);
            if (batch != null) {
                return batch(config, client, out, err);
            }
            if (repo == null || repo.isEmpty()) {
                err.println("Error: required flag(s) \"repo\" not set");
                return 1;
            }
            JobSpecification spec = new JobSpecification(jobName, repo, payload, normaliseLease(leasePath), deps);
            Replies.PostNewJobReply reply;
            try {
                reply = client.submit(spec);
            } catch (RuntimeException e) {
                LogLine.error().with("error", e.getMessage()).print(out, ts, "could not post new job");
                return 1;
            }
            if (!reply.isOk()) {
                LogLine.error().with("error", reply.reason() == null ? "" : reply.reason()).print(out, ts, "job failed");
                return 1;
            }
            LogLine.info().with("job_id", reply.id()).print(out, ts, "job submitted successfully");
            if (!waitForIt) {
                return 0;
            }
            return waitFor(config, client, List.of(reply.id()), out);
        }

        /**
         * {@code --batch}: every line is read and checked before the first job is posted, so a
         * malformed file submits nothing; then the jobs travel {@link #JOBS_PER_REQUEST} at a time
         * through our route {@code POST /api/v1/jobs}, each request one transaction on the server
         * (one commit per request, not per job: posting them one by one, a batch waited for every
         * commit in turn), all of its jobs accepted or none. The ids are printed
         * in the order of the lines. After a refused request no further one is posted; the ids
         * of those accepted before are still printed, the refused line is named on stderr and
         * the lines not submitted are listed.
         */
        private int batch(ConveyorConfig config, ConveyorClient client, PrintStream out, PrintStream err)
                throws IOException, InterruptedException {
            boolean ts = config.logTimestamps();
            List<JobSpecification> specs = new ArrayList<>();
            List<Integer> lineNumbers = new ArrayList<>();
            try (BufferedReader in = "-".equals(batch)
                    ? new BufferedReader(new InputStreamReader(root.invocation.in(), StandardCharsets.UTF_8))
                    : Files.newBufferedReader(root.invocation.resolve(Path.of(batch)), StandardCharsets.UTF_8)) {
                String line;
                int number = 0;
                while ((line = in.readLine()) != null) {
                    number++;
                    if (line.isBlank()) {
                        continue;
                    }
                    JobSpecification spec;
                    try {
                        spec = ConveyorJson.read(line.getBytes(StandardCharsets.UTF_8), JobSpecification.class);
                    } catch (MalformedJobException e) {
                        LogLine.error().with("error", "line " + number + ": " + e.getMessage()).print(err, ts, "invalid batch line");
                        return 1;
                    }
                    String repository = spec.repository().isEmpty() && repo != null ? repo : spec.repository();
                    specs.add(new JobSpecification(spec.jobName(), repository, spec.payload(), normaliseLease(spec.leasePath()),
                            spec.dependencies() == null ? List.of() : spec.dependencies()));
                    lineNumbers.add(number);
                }
            }
            List<String> ids = new ArrayList<>();
            List<Integer> skipped = new ArrayList<>();
            int rc = 0;
            try {
                for (int from = 0; from < specs.size(); from += JOBS_PER_REQUEST) {
                    int to = Math.min(specs.size(), from + JOBS_PER_REQUEST);
                    if (rc != 0) {
                        skipped.addAll(lineNumbers.subList(from, to));
                        continue;
                    }
                    String error;
                    try {
                        Replies.PostJobsReply reply = client.submitAll(specs.subList(from, to));
                        if (reply.isOk()) {
                            ids.addAll(reply.ids());
                            reply.ids().forEach(out::println);
                            continue;
                        }
                        int refused = reply.index() == null ? 0 : Math.max(0, Math.min(to - from - 1, reply.index()));
                        error = "line " + lineNumbers.get(from + refused) + ": " + reply.reason();
                    } catch (RuntimeException e) {
                        error = "lines " + lineNumbers.get(from) + ".." + lineNumbers.get(to - 1) + ": " + e.getMessage();
                    }
                    rc = 1;
                    LogLine.error().with("error", error).print(err, ts, "job failed");
                    skipped.addAll(lineNumbers.subList(from, to));
                }
            } finally {
                out.flush();
            }
            if (!skipped.isEmpty()) {
                LogLine.error().with("error", "lines " + skipped + " not submitted").print(err, ts, "batch stopped");
            }
            if (rc != 0) {
                return rc;
            }
            return waitForIt && !ids.isEmpty() ? waitFor(config, client, ids, out) : 0;
        }

        private static int waitFor(ConveyorConfig config, ConveyorClient client, List<String> ids, PrintStream out)
                throws InterruptedException {
            boolean ts = config.logTimestamps();
            Map<String, Boolean> seen;
            try {
                seen = client.waitFor(ids, Duration.ofSeconds(config.jobWaitTimeout()));
            } catch (RuntimeException e) {
                LogLine.error().with("error", e.getMessage()).print(out, ts, "waiting for job completion failed");
                return 1;
            }
            int rc = 0;
            for (var entry : seen.entrySet()) {
                if (entry.getValue()) {
                    LogLine.info().with("job_id", entry.getKey()).with("success", true).print(out, ts, "job finished");
                } else {
                    String error = "";
                    try {
                        var full = client.completed(List.of(entry.getKey()), true);
                        error = full.jobs().isEmpty() ? "" : full.jobs().get(0).errorMessage();
                    } catch (RuntimeException e) {
                        error = e.getMessage();
                    }
                    LogLine.error().with("job_id", entry.getKey()).with("success", false).with("error", error).print(out, ts, "job finished");
                    rc = 1;
                }
            }
            return rc;
        }

        static String normaliseLease(String path) {
            if (path == null || path.isEmpty()) {
                return "/";
            }
            return path.startsWith("/") ? path : "/" + path;
        }
    }

    @Command(name = "check", description = "check the status of jobs, or list jobs by state, repository and time")
    static final class Check implements Callable<Integer> {
        @CommandLine.ParentCommand
        ConveyorCli root;
        @Option(names = {"-i", "--ids"}, split = ",", description = "job ids (required unless a listing filter is given)")
        List<String> ids = new ArrayList<>();
        @Option(names = {"-w", "--wait"}, arity = "0..1", fallbackValue = "true", description = "wait for the jobs first")
        boolean waitForIt;
        @Option(names = {"-e", "--full-status"}, arity = "0..1", fallbackValue = "true", description = "full job records")
        boolean full;
        @Option(names = "--state", split = ",", paramLabel = "STATE",
                description = "list jobs in these states (waiting, queued, running, succeeded, failed, cancelled)")
        List<String> states = new ArrayList<>();
        @Option(names = "--repo", paramLabel = "FQRN", description = "list jobs of this repository")
        String repository;
        @Option(names = "--since", paramLabel = "RFC3339", description = "list jobs submitted at or after this time")
        String since;
        @Option(names = "--until", paramLabel = "RFC3339", description = "list jobs submitted before this time")
        String until;
        @Option(names = "--offset", defaultValue = "0", description = "skip this many listed jobs")
        int offset;
        @Option(names = "--limit", defaultValue = "" + JobQuery.DEFAULT_LIMIT, description = "list at most this many jobs (at most 1000)")
        int limit;

        @Override
        public Integer call() throws Exception {
            PrintStream out = root.invocation.out();
            PrintStream err = root.invocation.err();
            ConveyorConfig config = root.loadConfig();
            if (config == null) {
                return 1;
            }
            boolean listing = !states.isEmpty() || repository != null || since != null || until != null;
            if (ids.isEmpty() && !listing) {
                err.println("Error: required flag(s) \"ids\" not set");
                return 1;
            }
            boolean ts = config.logTimestamps();
            ConveyorClient client = ConveyorClient.of(config);
            if (listing) {
                return list(client, ts, out, err);
            }
            try {
                if (waitForIt) {
                    try {
                        client.waitFor(ids, Duration.ofSeconds(config.jobWaitTimeout()));
                    } catch (ConveyorClient.WaitException e) {
                        LogLine.error().with("error", e.getMessage()).print(out, ts, "waiting for job completion failed");
                        return 1;
                    }
                }
                Replies.GetJobStatusReply reply = client.completed(ids, full);
                if (!reply.isOk()) {
                    LogLine.error().with("error", reply.reason() == null ? "" : reply.reason()).print(out, ts, "could not get job status");
                    return 1;
                }
                LogLine.info().print(out, ts, "completed jobs:");
                if (full) {
                    for (ProcessedJob job : reply.jobs()) {
                        out.println(ConveyorJson.writeString(job));
                    }
                } else {
                    reply.ids().forEach(s -> out.println(ConveyorJson.writeString(s)));
                }
                out.flush();
                reportOthers(client, ts, err);
                return 0;
            } catch (ConveyorClient.ConveyorClientException e) {
                LogLine.error().with("error", e.getMessage()).print(out, ts, "could not get job status");
                return 1;
            }
        }

        /**
         * Ours: the jobs matching the filters (and the ids, if given) through the listing route,
         * one job record per JSON line after a line with the total, in submission order.
         */
        private int list(ConveyorClient client, boolean ts, PrintStream out, PrintStream err) {
            JobQuery query;
            try {
                query = new JobQuery(ids, states.stream().map(JobState::fromWire).toList(), repository,
                        since == null ? null : ConveyorJson.parseTime(since), until == null ? null : ConveyorJson.parseTime(until),
                        offset, limit);
            } catch (RuntimeException e) {
                err.println("Error: " + e.getMessage());
                return 1;
            }
            if (offset < 0 || limit < 1 || limit > JobQuery.MAX_LIMIT) {
                err.println("Error: --offset must be at least 0 and --limit between 1 and " + JobQuery.MAX_LIMIT);
                return 1;
            }
            JobListReply reply;
            try {
                reply = client.list(query);
            } catch (RuntimeException e) {
                LogLine.error().with("error", e.getMessage()).print(out, ts, "could not list jobs");
                return 1;
            }
            if (!reply.isOk()) {
                LogLine.error().with("error", reply.reason() == null ? "" : reply.reason()).print(out, ts, "could not list jobs");
                return 1;
            }
            LogLine.info().with("total", reply.total()).with("offset", reply.offset()).with("count", reply.jobs().size())
                    .print(out, ts, "jobs:");
            for (JobRecord job : reply.jobs()) {
                out.println(ConveyorJson.writeString(job));
            }
            out.flush();
            for (String id : reply.unknown()) {
                LogLine.warn().with("job_id", id).print(err, ts, "unknown job");
            }
            return 0;
        }

        /** Ours: unknown and not-yet-completed ids are named on stderr instead of silently omitted. */
        private void reportOthers(ConveyorClient client, boolean ts, PrintStream err) {
            JobListReply list;
            try {
                list = client.list(new JobQuery(ids, List.of(), null, null, null, 0, Math.min(Math.max(ids.size(), 1), JobQuery.MAX_LIMIT)));
            } catch (RuntimeException upstreamServer) {
                return;
            }
            for (String id : list.unknown()) {
                LogLine.warn().with("job_id", id).print(err, ts, "unknown job");
            }
            for (JobRecord job : list.jobs()) {
                if (!job.jobState().terminal()) {
                    LogLine.info().with("job_id", job.id()).with("state", job.state()).print(err, ts, "job not completed");
                }
            }
        }
    }
    /** Ours: {@code conveyor cancel -i IDS} cancels jobs that have not started (waiting or queued). */
    @Command(name = "cancel", description = "cancel jobs that have not started")
    static final class Cancel implements Callable<Integer> {
        @CommandLine.ParentCommand
        ConveyorCli root;
        @Option(names = {"-i", "--ids"}, split = ",", description = "job ids (required)")
        List<String> ids = new ArrayList<>();

        @Override
        public Integer call() {
            PrintStream out = root.invocation.out();
            PrintStream err = root.invocation.err();
            ConveyorConfig config = root.loadConfig();
            if (config == null) {
                return 1;
            }
            if (ids.isEmpty()) {
                err.println("Error: required flag(s) \"ids\" not set");
                return 1;
            }
            boolean ts = config.logTimestamps();
            ConveyorClient client = ConveyorClient.of(config);
            int rc = 0;
            for (String id : ids) {
                try {
                    Replies.BasicReply reply = client.cancel(id);
                    if (reply.isOk()) {
                        LogLine.info().with("job_id", id).print(out, ts, "job cancelled");
                        continue;
                    }
                    LogLine.error().with("job_id", id).with("error", reply.reason() == null ? "" : reply.reason())
                            .print(out, ts, "could not cancel job");
                } catch (RuntimeException e) {
                    LogLine.error().with("job_id", id).with("error", e.getMessage()).print(out, ts, "could not cancel job");
                }
                rc = 1;
            }
            out.flush();
            return rc;
        }
    }
}
