package org.cvmfs.suite.server.cli;

import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "cat", mixinStandardHelpOptions = true,
        description = {"Writes a file of a repository to stdout, local or over HTTP.",
            "Chunked files are reassembled; every object is verified against its name."})
final class CatCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Mixin
    BrowseOptions browse;

    @Parameters(index = "0", paramLabel = "REPO|URL", description = "repository served from this host, or a repository URL")
    String target;

    @Parameters(index = "1", paramLabel = "PATH", description = "file inside the repository, e.g. /new_repository")
    String path;

    @Override
    public Integer call() {
        return server.run(spec, () -> {
            try (RepositoryBrowser browser = browse.open(server, spec, target)) {
                browser.cat(RepositoryBrowser.parsePath(path), server.rawOut());
            }
            return ServerCommand.EXIT_OK;
        });
    }
}
