package org.cvmfs.suite.worker.server;

import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.repository.MkfsOptions;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryOwner;
import org.cvmfs.suite.protocol.repository.Stratum0Creator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "mkfs", mixinStandardHelpOptions = true,
        description = {"Creates a Stratum-0 repository served from this host.",
            "Writes keys to /etc/cvmfs/keys (key files already present are reused), the served tree to "
                + "/srv/cvmfs/REPO (revision 1 with /new_repository, signed manifest, whitelist, reflog) and "
                + "/etc/cvmfs/repositories.d/REPO/server.conf."})
final class MkfsCommand implements Callable<Integer> {
    @ParentCommand
    ServerCommand server;

    @Spec
    CommandSpec spec;

    @Option(names = "-o", paramLabel = "OWNER", description = "owner of the repository (default: the current user)")
    String owner;

    @Option(names = "-z", description = "mark the repository as garbage-collectable")
    boolean garbageCollection;

    @Option(names = "-a", paramLabel = "ALGORITHM", converter = HashAlgorithmConverter.class,
            description = "content hash algorithm: sha1 (default), rmd160 or shake128")
    HashAlgorithm algorithm = HashAlgorithm.SHA1;

    @Parameters(paramLabel = "REPO", description = "fully qualified repository name, e.g. repo.example.org")
    String fqrn;

    @Override
    public Integer call() {
        return server.run(spec, () -> {
            RepositoryLayout layout = new RepositoryLayout(server.hostPaths(), fqrn);
            RepositoryOwner repositoryOwner = owner == null ? RepositoryOwner.current() : RepositoryOwner.lookup(owner);
            Manifest head = new Stratum0Creator(server.clock())
                    .create(layout, new MkfsOptions(repositoryOwner, algorithm, garbageCollection)).manifest();
            var out = spec.commandLine().getOut();
            out.println("Created repository " + fqrn + " (revision " + head.revision() + ", root catalog "
                    + head.rootCatalog().toText() + ")");
            out.println("  served from " + layout.servedRoot());
            out.println("  keys in     " + layout.keysDir() + " (distribute " + fqrn + ".pub to clients)");
            out.println("  config      " + layout.serverConf());
            out.println("Re-sign the whitelist before it expires in 30 days: cvmfs_server resign " + fqrn);
            out.flush();
            return ServerCommand.EXIT_OK;
        });
    }
}
