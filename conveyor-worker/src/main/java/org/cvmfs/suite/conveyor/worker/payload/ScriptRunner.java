package org.cvmfs.suite.conveyor.worker.payload;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.conveyor.worker.failure.JobFailure;

/**
 * Runs a payload script as upstream does (spec 5.2): argv {@code [script, repository, lease path,
 * argument or ""]}, the given working directory, the worker's environment plus {@code extraEnv}.
 * Unlike upstream, stdout and stderr are captured (merged, bounded by {@link ScriptLog}) and the
 * script is killed, with every process it started, after {@code timeout}. An interrupted run
 * (SIGTERM of the worker) kills the script too.
 */
public final class ScriptRunner {
    private final Duration timeout;
    private final int logLimit;

    /** What the script did: its exit status ({@code -1} when killed) and its kept output. */
    public record Outcome(int exitStatus, boolean timedOut, String log) {
        public boolean succeeded() {
            return exitStatus == 0 && !timedOut;
        }

        /** Upstream's message for a failed script, plus ours for a time-out. */
        public String errorMessage() {
            if (timedOut) {
                return "running transaction script failed: timed out";
            }
            return "running transaction script failed: exit status " + exitStatus;
        }
    }

    public ScriptRunner(Duration timeout, int logLimit) {
        this.timeout = timeout;
        this.logLimit = logLimit;
    }

    public Outcome run(Path script, String repository, String leasePath, String argument, Path workingDirectory,
                       Map<String, String> extraEnv) throws InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(List.of(script.toString(), repository, leasePath, argument))
                .directory(workingDirectory.toFile())
                .redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        builder.environment().putAll(extraEnv);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new JobFailure("running transaction script failed: " + e.getMessage(), false, e);
        }
        ScriptLog log = new ScriptLog(logLimit);
        Thread reader = new Thread(() -> drain(process.getInputStream(), log), "payload-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
        boolean finished;
        try {
            finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            kill(process);
            throw e;
        }
        if (!finished) {
            kill(process);
        }
        reader.join(Duration.ofSeconds(5).toMillis());
        return new Outcome(finished ? process.exitValue() : -1, !finished, log.text());
    }

    /** Kills the script and everything it started, and returns once they are gone (or 10 s passed). */
    private static void kill(Process process) {
        List<ProcessHandle> all = new java.util.ArrayList<>(process.descendants().toList());
        all.add(process.toHandle());
        all.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
                // gone or stuck in the kernel: nothing more to do
            }
        }
    }

    private static void drain(InputStream in, ScriptLog log) {
        byte[] buffer = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                log.write(buffer, 0, n);
            }
        } catch (IOException ignored) {
            // the process is gone; what was read is kept
        }
    }
}
