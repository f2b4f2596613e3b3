package org.cvmfs.suite.conveyor.server.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.cvmfs.suite.protocol.resident.ResidentServer;

/**
 * The resident {@code conveyor} client (issue 8): {@link ResidentServer} running
 * {@link ConveyorCli}'s commands — submit, check, cancel; never a server or a worker — for
 * {@code deploy/bin/conveyor}, so that a CI script's {@code conveyor submit} per job costs
 * milliseconds instead of a JVM. {@code --batch -} reads standard input, which a resident JVM
 * has none of: the launcher sends it to a JVM of its own.
 *
 * <p>Usage (by the launcher): {@code ResidentClient STATE_FILE SUITE_HOME}.
 */
public final class ResidentClient {
    static final ResidentServer.Tool TOOL =
            new ResidentServer.Tool("conveyor", "CONVEYOR_CLIENT_IDLE", "CONVEYOR_CLIENT_DAEMON=off", ConveyorCli::run);

    private ResidentClient() {
    }

    public static void main(String[] args) throws Exception {
        ResidentServer.serve(TOOL, args);
    }

    /** For tests: a resident client of {@code stateFile}, or empty when one runs already. */
    static Optional<ResidentServer> start(Path stateFile, String suiteHome, Duration idle) throws IOException {
        return ResidentServer.start(TOOL, stateFile, suiteHome, idle);
    }
}
