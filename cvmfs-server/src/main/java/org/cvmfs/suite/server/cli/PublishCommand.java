package org.cvmfs.suite.server.cli;

import java.util.Optional;
import java.util.concurrent.Callable;
import org.cvmfs.suite.server.publish.Published;
import org.cvmfs.suite.server.publish.RepositoryArgument;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "publish", mixinStandardHelpOptions = true,
        description = "Publishes the open transaction of a gateway repository through the gateway.")
public final class PublishCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Option(names = "-a", paramLabel = "TAG", description = "tag name (default: generic-<UTC time> with CVMFS_AUTO_TAG)")
    String tag;

    @Option(names = "-m", paramLabel = "MESSAGE", description = "tag description")
    String message;

    @Parameters(paramLabel = "REPO", description = "repository (a subpath is ignored)")
    String target;

    @Override
    public Integer call() {
        return server.run(spec, () -> PublisherCommands.exitCode(spec, () -> {
            RepositoryArgument arg = RepositoryArgument.parse(target);
            Published p = PublisherCommands.publisher(server, spec, arg.repository())
                    .publish(Optional.ofNullable(tag), Optional.ofNullable(message));
            spec.commandLine().getOut().printf("Published %s: %d files (%d bytes) processed, %d bytes uploaded%n",
                    p.rootCatalog(), p.filesProcessed(), p.bytesProcessed(), p.bytesUploaded());
        }));
    }
}
