package org.cvmfs.suite.server.cli;

import java.util.concurrent.Callable;
import org.cvmfs.suite.server.publish.RepositoryArgument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "abort", mixinStandardHelpOptions = true,
        description = "Drops the lease of a gateway repository's open transaction and discards its changes.")
public final class AbortCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Option(names = "-f", description = "forget the transaction even if the gateway cannot drop the lease")
    boolean force;

    @Parameters(paramLabel = "REPO", description = "repository")
    String target;

    @Override
    public Integer call() {
        return server.run(spec, () -> PublisherCommands.exitCode(spec, () -> {
            RepositoryArgument arg = RepositoryArgument.parse(target);
            PublisherCommands.publisher(server, spec, arg.repository()).abort(force);
        }));
    }
}
