package org.cvmfs.suite.conveyor.server.cli;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
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
import org.cvmfs.suite.protocol.conveyor.MalformedJobException;
import org.cvmfs.suite.protocol.conveyor.ProcessedJob;
import org.cvmfs.suite.protocol.conveyor.Replies;
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
 * upstream no broker connection is needed: waiting polls the server.
 */
@Command(name = "conveyor", mixinStandardHelpOptions = false, subcommands = {ConveyorCli.Submit.class, ConveyorCli.Check.class},
        description = "CernVM-FS Conveyor client")
public final class ConveyorCli implements Callable<Integer> {
    @Option(names = {"-c", "--config"}, scope = ScopeType.INHERIT, description = "config file")
    Path config = ConveyorConfig.defaultPath();
    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "debug logging")
    boolean debug;
    @Option(names = "--log-timestamps", scope = ScopeType.INHERIT, description = "timestamps in log lines")
    boolean logTimestamps;
    @Option(names = {"-h", "--help"}, usageHelp = true, scope = ScopeType.INHERIT, description = "help")
    boolean help;
    @Option(names = {"-v", "--version"}, versionHelp = true, description = "version")
    boolean version;

    static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), false, StandardCharsets.UTF_8);

    public static void main(String[] args) {
        CommandLine cli = new CommandLine(new ConveyorCli());
        cli.getCommandSpec().version("conveyor version 0.1.0");
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            LogLine.error().with("error", String.valueOf(e.getMessage())).print(System.err, false, "command failed");
            return 1;
        });
        cli.setParameterExceptionHandler((e, a) -> {
            System.err.println("Error: " + e.getMessage());
            e.getCommandLine().usage(System.err);
            return 1;
        });
        System.exit(cli.execute(args));
    }

    @Override
    public Integer call() {
        new CommandLine(this).usage(System.out);
        return 0;
    }

    ConveyorConfig loadConfig() {
        try {
            return ConveyorConfig.load(config, ConveyorConfig.Profile.CLIENT, System::getenv).withDebug(debug).withLogTimestamps(logTimestamps);
        } catch (ConfigException e) {
            LogLine.error().with("error", e.getMessage()).print(System.err, logTimestamps, "could not read config");
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
        @Option(names = "--batch", description = "submit one job per JSON line of FILE (- = stdin); prints ids one per line")
        String batch;

        @Override
        public Integer call() throws Exception {
            ConveyorConfig config = root.loadConfig();
            if (config == null) {
                return 1;
            }
            boolean ts = config.logTimestamps();
            ConveyorClient client = ConveyorClient.of(config);
            if (batch != null) {
                return batch(config, client);
            }
            if (repo == null || repo.isEmpty()) {
                System.err.println("Error: required flag(s) \"repo\" not set");
                return 1;
            }
            JobSpecification spec = new JobSpecification(jobName, repo, payload, normaliseLease(leasePath), deps);
            Replies.PostNewJobReply reply;
            try {
                reply = client.submit(spec);
            } catch (RuntimeException e) {
                LogLine.error().with("error", e.getMessage()).print(OUT, ts, "could not post new job");
                return 1;
            }
            if (!reply.isOk()) {
                LogLine.error().with("error", reply.reason() == null ? "" : reply.reason()).print(OUT, ts, "job failed");
                return 1;
            }
            LogLine.info().with("job_id", reply.id()).print(OUT, ts, "job submitted successfully");
            if (!waitForIt) {
                return 0;
            }
            return waitFor(config, client, List.of(reply.id()));
        }

        private int batch(ConveyorConfig config, ConveyorClient client) throws IOException, InterruptedException {
            boolean ts = config.logTimestamps();
            List<String> ids = new ArrayList<>();
            try (BufferedReader in = "-".equals(batch)
                    ? new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))
                    : Files.newBufferedReader(Path.of(batch), StandardCharsets.UTF_8)) {
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
                        LogLine.error().with("error", "line " + number + ": " + e.getMessage()).print(System.err, ts, "invalid batch line");
                        return 1;
                    }
                    if (spec.repository().isEmpty() && repo != null) {
                        spec = new JobSpecification(spec.jobName(), repo, spec.payload(), spec.leasePath(), spec.dependencies());
                    }
                    spec = new JobSpecification(spec.jobName(), spec.repository(), spec.payload(),
                            normaliseLease(spec.leasePath()), spec.dependencies() == null ? List.of() : spec.dependencies());
                    Replies.PostNewJobReply reply;
                    try {
                        reply = client.submit(spec);
                    } catch (RuntimeException e) {
                        LogLine.error().with("error", e.getMessage()).print(System.err, ts, "could not post new job");
                        return 1;
                    }
                    if (!reply.isOk()) {
                        LogLine.error().with("error", "line " + number + ": " + reply.reason()).print(System.err, ts, "job failed");
                        return 1;
                    }
                    ids.add(reply.id());
                    OUT.println(reply.id());
                }
            }
            OUT.flush();
            return waitForIt && !ids.isEmpty() ? waitFor(config, client, ids) : 0;
        }

        private static int waitFor(ConveyorConfig config, ConveyorClient client, List<String> ids) throws InterruptedException {
            boolean ts = config.logTimestamps();
            Map<String, Boolean> seen;
            try {
                seen = client.waitFor(ids, Duration.ofSeconds(config.jobWaitTimeout()));
            } catch (RuntimeException e) {
                LogLine.error().with("error", e.getMessage()).print(OUT, ts, "waiting for job completion failed");
                return 1;
            }
            int rc = 0;
            for (var entry : seen.entrySet()) {
                if (entry.getValue()) {
                    LogLine.info().with("job_id", entry.getKey()).with("success", true).print(OUT, ts, "job finished");
                } else {
                    String error = "";
                    try {
                        var full = client.completed(List.of(entry.getKey()), true);
                        error = full.jobs().isEmpty() ? "" : full.jobs().get(0).errorMessage();
                    } catch (RuntimeException e) {
                        error = e.getMessage();
                    }
                    LogLine.error().with("job_id", entry.getKey()).with("success", false).with("error", error).print(OUT, ts, "job finished");
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

    @Command(name = "check", description = "check the status of jobs")
    static final class Check implements Callable<Integer> {
        @CommandLine.ParentCommand
        ConveyorCli root;
        @Option(names = {"-i", "--ids"}, split = ",", description = "job ids (required)")
        List<String> ids = new ArrayList<>();
        @Option(names = {"-w", "--wait"}, arity = "0..1", fallbackValue = "true", description = "wait for the jobs first")
        boolean waitForIt;
        @Option(names = {"-e", "--full-status"}, arity = "0..1", fallbackValue = "true", description = "full job records")
        boolean full;

        @Override
        public Integer call() throws Exception {
            ConveyorConfig config = root.loadConfig();
            if (config == null) {
                return 1;
            }
            if (ids.isEmpty()) {
                System.err.println("Error: required flag(s) \"ids\" not set");
                return 1;
            }
            boolean ts = config.logTimestamps();
            ConveyorClient client = ConveyorClient.of(config);
            try {
                if (waitForIt) {
                    try {
                        client.waitFor(ids, Duration.ofSeconds(config.jobWaitTimeout()));
                    } catch (ConveyorClient.WaitException e) {
                        LogLine.error().with("error", e.getMessage()).print(OUT, ts, "waiting for job completion failed");
                        return 1;
                    }
                }
                Replies.GetJobStatusReply reply = client.completed(ids, full);
                if (!reply.isOk()) {
                    LogLine.error().with("error", reply.reason() == null ? "" : reply.reason()).print(OUT, ts, "could not get job status");
                    return 1;
                }
                LogLine.info().print(OUT, ts, "completed jobs:");
                if (full) {
                    for (ProcessedJob job : reply.jobs()) {
                        OUT.println(ConveyorJson.writeString(job));
                    }
                } else {
                    reply.ids().forEach(s -> OUT.println(ConveyorJson.writeString(s)));
                }
                OUT.flush();
                reportOthers(client, ts);
                return 0;
            } catch (ConveyorClient.ConveyorClientException e) {
                LogLine.error().with("error", e.getMessage()).print(OUT, ts, "could not get job status");
                return 1;
            }
        }

        /** Ours: unknown and not-yet-completed ids are named on stderr instead of silently omitted. */
        private void reportOthers(ConveyorClient client, boolean ts) {
            JobListReply list;
            try {
                list = client.list(new JobQuery(ids, List.of(), null, null, null, 0, Math.min(Math.max(ids.size(), 1), JobQuery.MAX_LIMIT)));
            } catch (RuntimeException upstreamServer) {
                return;
            }
            for (String id : list.unknown()) {
                LogLine.warn().with("job_id", id).print(System.err, ts, "unknown job");
            }
            for (JobRecord job : list.jobs()) {
                if (!job.jobState().terminal()) {
                    LogLine.info().with("job_id", job.id()).with("state", job.state()).print(System.err, ts, "job not completed");
                }
            }
        }
    }
}
