package org.cvmfs.suite.server.cli;

import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.name.RawName;
import org.cvmfs.suite.protocol.repository.CatalogInfo;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** Upstream's option letters; {@code -h} means hashes here, so help is only {@code --help}. */
@Command(name = "list-catalogs",
        description = {"Lists the catalog tree of a repository, local or over HTTP.",
            "One line per catalog (its mountpoint), indented by nesting depth."})
final class ListCatalogsCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Mixin
    BrowseOptions browse;

    @Option(names = "--help", usageHelp = true, description = "show this help message and exit")
    boolean help;

    @Option(names = "-s", description = "print the uncompressed catalog sizes")
    boolean sizes;

    @Option(names = "-e", description = "print the number of entries per catalog")
    boolean entries;

    @Option(names = "-h", description = "print the catalog hashes")
    boolean hashes;

    @Option(names = "-x", description = "do not indent (no tree)")
    boolean flat;

    @Parameters(paramLabel = "REPO|URL", description = "repository served from this host, or a repository URL")
    String target;

    @Override
    public Integer call() {
        return server.run(spec, () -> {
            try (RepositoryBrowser browser = browse.open(server, spec, target)) {
                var out = spec.commandLine().getOut();
                for (CatalogInfo c : browser.catalogs()) {
                    StringBuilder line = new StringBuilder();
                    if (!flat) {
                        line.append("  ".repeat(c.depth()));
                    }
                    line.append(c.mountpoint().isRoot() ? "/" : RawName.printable(c.mountpoint().toString()));
                    if (hashes) {
                        line.append(' ').append(c.hash().toSuffixedText());
                    }
                    if (sizes) {
                        line.append(' ').append(c.size());
                    }
                    if (entries) {
                        line.append(' ').append(c.entries());
                    }
                    out.println(line);
                }
                out.flush();
            }
            return ServerCommand.EXIT_OK;
        });
    }
}
