package org.cvmfs.suite.server.cli;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.cvmfs.suite.server.publish.RepositoryArgument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "transaction", mixinStandardHelpOptions = true,
        description = {"Opens a transaction on a gateway repository: acquires the lease on REPO/PATH and fills "
                + "the working tree with the subtree's current content.",
            "The working tree is /var/spool/cvmfs/REPO/publisher/work; exit code 16 means the lease path is busy."})
public final class TransactionCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Option(names = "-t", paramLabel = "SECONDS",
            description = "retry while the lease path is busy, for up to SECONDS (0: forever)")
    Long retrySeconds;

    @Parameters(paramLabel = "REPO[/PATH]", description = "repository and the subtree to lease")
    String target;

    @Override
    public Integer call() {
        return server.run(spec, () -> PublisherCommands.exitCode(spec, () -> {
            RepositoryArgument arg = RepositoryArgument.parse(target);
            if (retrySeconds != null && retrySeconds < 0) {
                throw new IllegalArgumentException("-t must not be negative, got " + retrySeconds);
            }
            PublisherCommands.publisher(server, spec, arg.repository())
                    .transaction(arg.path(), Optional.ofNullable(retrySeconds).map(Duration::ofSeconds));
        }));
    }
}
