package org.cvmfs.suite.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One finished run of a command line (stdout and stderr merged, in order), so that a failed
 * assertion on its exit code can show what the command said.
 */
record Command(List<String> argv, int exitCode, String output) {

    static Command run(Path workDir, String... argv) {
        ProcessBuilder pb = new ProcessBuilder(argv).directory(workDir.toFile()).redirectErrorStream(true);
        pb.environment().put("LC_ALL", "C.UTF-8");
        try {
            Process p = pb.start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(10, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException("still running after 10 minutes: " + String.join(" ", argv));
            }
            return new Command(List.of(argv), p.exitValue(), out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Says what ran and what it printed: the message of a failed assertion. */
    String describe() {
        return String.join(" ", argv) + " exited " + exitCode + ":\n" + output;
    }
}
