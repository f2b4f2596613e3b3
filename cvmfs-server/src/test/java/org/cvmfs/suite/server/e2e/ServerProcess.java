package org.cvmfs.suite.server.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.crashtest.PausePoint;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import org.cvmfs.suite.server.cli.ServerCommand;
import picocli.CommandLine;

/**
 * {@code cvmfs_server} in a JVM of its own, for the tests that kill a publisher: this test run's
 * class path, this class as the entry point.
 */
public final class ServerProcess {
    private ServerProcess() {
    }

    public static void main(String[] args) {
        System.exit(ServerCommand.withSubcommands(new CommandLine(new ServerCommand()), args).execute(args));
    }

    /**
     * Runs {@code cvmfs_server --prefix PREFIX ARGS} in a process of its own, held at the pause
     * point {@code step} ({@link PausePoint}) and killed there ({@code kill -9}); fails if it
     * ends before reaching it. Its scratch files go below {@code scratch}.
     */
    static void killAt(Path scratch, Path prefix, String step, String... args) throws Exception {
        Path pauses = scratch.resolve("pauses");
        Path log = scratch.resolve("cvmfs_server.log");
        Process p = start(List.of(), Map.of(PausePoint.PAUSE_AT_ENV, step, PausePoint.PAUSE_DIR_ENV,
                pauses.toString()), prefix, log, args);
        try {
            Await.until(() -> Files.exists(pauses.resolve(step)) || !p.isAlive(),
                    () -> "cvmfs_server " + String.join(" ", args) + " reaching " + step);
            if (!p.isAlive()) {
                throw new AssertionError("cvmfs_server " + String.join(" ", args) + " ended before " + step + ": "
                        + (Files.exists(log) ? Files.readString(log) : "(no log)"));
            }
        } finally {
            p.destroyForcibly(); // SIGKILL
            p.waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** Starts {@code cvmfs_server --prefix PREFIX ARGS...}, its output going to {@code log}. */
    static Process start(Path prefix, Path log, String... args) throws IOException {
        return start(List.of(), prefix, log, args);
    }

    /** As {@link #start(Path, Path, String...)}, run by {@code wrapper} (e.g. {@code unshare -r}). */
    static Process start(List<String> wrapper, Path prefix, Path log, String... args) throws IOException {
        return start(wrapper, Map.of(), prefix, log, args);
    }

    /** As {@link #start(List, Path, Path, String...)}, with {@code environment} added to this one's. */
    static Process start(List<String> wrapper, Map<String, String> environment, Path prefix, Path log, String... args)
            throws IOException {
        List<String> cvmfsServer = new ArrayList<>(List.of("--prefix", prefix.toString()));
        cvmfsServer.addAll(List.of(args));
        List<String> command = new ArrayList<>(wrapper);
        command.addAll(JavaProcess.mainClass(ServerProcess.class, cvmfsServer));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(environment);
        return builder.start();
    }
}
