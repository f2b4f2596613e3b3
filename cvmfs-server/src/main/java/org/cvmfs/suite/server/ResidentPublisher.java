package org.cvmfs.suite.server;

import java.util.Set;
import org.cvmfs.suite.protocol.resident.Invocation;
import org.cvmfs.suite.protocol.resident.ResidentServer;
import org.cvmfs.suite.server.cli.ServerCommand;

/**
 * The resident {@code cvmfs_server} (issue 11): {@link ResidentServer} running the publisher's
 * short commands — {@code transaction}, {@code publish}, {@code abort} — for
 * {@code deploy/bin/cvmfs_server}, with the same command objects as {@link Main}. A CI pipeline or
 * a Conveyor job publishes a handful of files many times a day, and a JVM of its own spent about
 * half a second of each {@code transaction} + {@code publish} before and around the work (start,
 * picocli's model, classes run cold); warm, the work itself is what is left. The repository's
 * state is on disk and in the gateway, never in this JVM: every command loads the configuration
 * and the spool anew, holds the spool's lock while it runs ({@code SpoolLock}, which refuses a
 * second holder in this JVM as in another), and a kill of this JVM is a kill of the command.
 *
 * <p>Other commands are refused (exit 2): they read standard input ({@code ingest -t -},
 * {@code gc}'s question), write bytes that are not lines ({@code cat}), or are rare enough not to
 * matter; the launcher never sends them here.
 *
 * <p>Usage (by the launcher): {@code ResidentPublisher STATE_FILE SUITE_HOME}.
 */
public final class ResidentPublisher {
    static final Set<String> COMMANDS = Set.of("transaction", "publish", "abort");
    static final ResidentServer.Tool TOOL = new ResidentServer.Tool(ServerCommand.NAME, "CVMFS_SUITE_SERVER_IDLE",
            "CVMFS_SUITE_SERVER_DAEMON=off", ResidentPublisher::run);

    private ResidentPublisher() {
    }

    public static void main(String[] args) throws Exception {
        ResidentServer.serve(TOOL, args);
    }

    /** {@code args} as the launcher passes them: {@code cvmfs_server [OPTIONS] COMMAND ...}. */
    public static int run(Invocation invocation, String... args) {
        if (args.length == 0 || !args[0].equals(ServerCommand.NAME) || !COMMANDS.contains(Main.serverCommandOf(args))) {
            invocation.err().println(ServerCommand.NAME + ": the resident JVM runs only " + String.join(", ", COMMANDS.stream().sorted().toList()));
            invocation.err().flush();
            return 2;
        }
        return Main.run(invocation, args);
    }
}
