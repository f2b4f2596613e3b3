package org.cvmfs.suite.server;

import io.quarkus.picocli.runtime.PicocliCommandLineFactory;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.cvmfs.suite.server.cli.ServerCommand;
import picocli.CommandLine;

/**
 * The command tree {@code quarkus-run.jar} runs: {@link SuiteCommand} with every subcommand of
 * {@code cvmfs_server}, which are registered in code rather than in its annotation so that the
 * lean {@link Main} can build only the one a command line names.
 */
@ApplicationScoped
class QuarkusCommandLine {
    @Produces
    CommandLine commandLine(PicocliCommandLineFactory factory) {
        CommandLine suite = factory.create();
        ServerCommand.withSubcommands(suite.getSubcommands().get(ServerCommand.NAME));
        return suite;
    }
}
