package org.cvmfs.suite.server.e2e;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.server.cli.ServerCommand;
import picocli.CommandLine;

/**
 * {@code cvmfs_server --prefix HOST ...} run in this JVM exactly as the launcher runs it, one
 * prefix standing for one host. Output can be watched while the command runs.
 */
final class ServerCli {
    /** What a finished command left: exit code, text on stdout and stderr. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path prefix;

    ServerCli(Path prefix) {
        this.prefix = prefix;
    }

    Path prefix() {
        return prefix;
    }

    Result run(String... args) {
        return run(new StringWriter(), args);
    }

    /** Runs with stdout going to {@code out}, which another thread may read while the command runs. */
    Result run(StringWriter out, String... args) {
        List<String> all = new ArrayList<>(List.of("--prefix", prefix.toString()));
        all.addAll(List.of(args));
        StringWriter err = new StringWriter();
        CommandLine cli = new CommandLine(new ServerCommand(Clock.systemUTC(), System.out));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /** Runs a command that must succeed; a failure shows everything it printed. */
    Result ok(String... args) {
        Result r = run(args);
        if (r.exitCode() != 0) {
            throw new AssertionError("cvmfs_server " + String.join(" ", args) + " failed on " + prefix + ": " + r);
        }
        return r;
    }
}
