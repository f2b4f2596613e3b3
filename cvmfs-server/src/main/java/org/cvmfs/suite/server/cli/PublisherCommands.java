package org.cvmfs.suite.server.cli;

import java.io.PrintWriter;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.server.publish.Publisher;
import org.cvmfs.suite.server.publish.PublisherConfiguration;
import org.cvmfs.suite.server.publish.PublisherException;
import picocli.CommandLine.Model.CommandSpec;

/** What the publisher subcommands share: loading the configuration, printing, exit codes. */
final class PublisherCommands {
    private PublisherCommands() {
    }

    interface Work {
        void run();
    }

    static Publisher publisher(ServerCommand server, CommandSpec spec, String fqrn) {
        RepositoryLayout layout = new RepositoryLayout(server.hostPaths(), fqrn);
        PrintWriter out = spec.commandLine().getOut();
        return new Publisher(PublisherConfiguration.load(layout), server.clock(), line -> {
            out.println(line);
            out.flush();
        });
    }

    /** Runs the work; a {@link PublisherException} ends in one line on stderr and upstream's exit code. */
    static int exitCode(CommandSpec spec, Work work) {
        try {
            work.run();
            spec.commandLine().getOut().flush();
            return ServerCommand.EXIT_OK;
        } catch (PublisherException e) {
            PrintWriter err = spec.commandLine().getErr();
            err.println("cvmfs_server " + spec.name() + ": " + e.getMessage());
            err.flush();
            return e.exitCode();
        }
    }
}
