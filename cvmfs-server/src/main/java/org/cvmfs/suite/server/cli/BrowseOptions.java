package org.cvmfs.suite.server.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.repository.PublishedManifest;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/** Options shared by the read-only listing commands (list-catalogs, ls, cat). */
final class BrowseOptions {
    @Option(names = "-t", paramLabel = "TAG", description = "look at this tag instead of the head")
    String tag;

    @Option(names = "-k", paramLabel = "KEY",
            description = "master public key(s) to verify the manifest (default: /etc/cvmfs/keys/REPO.pub if present)")
    List<Path> keys = new ArrayList<>();

    /**
     * Opens the repository's head (or tag) for reading. Without a master key the manifest is read
     * unverified, which is said on stderr; objects are always verified against their names.
     */
    RepositoryBrowser open(ServerCommand server, CommandSpec sub, String target) {
        RepositoryTarget repo = RepositoryTarget.resolve(target, null, keys, server.hostPaths());
        PublishedManifest head = PublishedManifest.read(repo.source(), repo.fqrn(), repo.masterKeys(), server.clock());
        if (!head.verified()) {
            sub.commandLine().getErr().println("warning: the manifest of " + repo.fqrn()
                    + " is not verified (no master public key; pass -k KEY)");
            sub.commandLine().getErr().flush();
        }
        return RepositoryBrowser.open(repo.source(), head.manifest(), Optional.ofNullable(tag), server.scratchDir());
    }
}
