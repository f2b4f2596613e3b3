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
 * {@code cvmfs_server --prefix HOST ...} run in this JVM: the same picocli command the launcher
 * reaches ({@link ServerCommand}), without the Quarkus start-up around it, one prefix standing for
 * one host. Output can be watched while the command runs. The packaged entry point itself is
 * tested by {@code ServerCommandMainTest}; tests that kill a publisher use {@link ServerProcess}.
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
        CommandLine cli = ServerCommand.withSubcommands(new CommandLine(new ServerCommand(Clock.systemUTC(), System.out)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int code = cli.execute(all.toArray(String[]::new));
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * Asserts a command's exit code; a mismatch shows everything the command printed (and
     * {@code why}, when given), so that a failing end-to-end test says what went wrong.
     */
    static Result assertExit(int expected, Result r, String... why) {
        if (r.exitCode() != expected) {
            throw new AssertionError((why.length > 0 ? why[0] + ": " : "") + "expected exit " + expected + ", got " + r);
        }
        return r;
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
