package org.cvmfs.suite.server.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.repository.MkfsOptions;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryOwner;
import org.cvmfs.suite.protocol.repository.Stratum0Creator;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.server.publish.GatewayMkfs;
import org.cvmfs.suite.server.publish.GatewayUpstream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "mkfs", mixinStandardHelpOptions = true,
        description = {"Creates a Stratum-0 repository served from this host, or, with -u gw,..., sets up "
                + "a publisher host for a repository behind a gateway.",
            "Stratum-0: writes keys to /etc/cvmfs/keys (key files already present are reused), the served tree to "
                + "/srv/cvmfs/REPO (revision 1 with /new_repository, signed manifest, whitelist, reflog) and "
                + "/etc/cvmfs/repositories.d/REPO/server.conf.",
            "Publisher: imports REPO.crt, REPO.pub and REPO.gw from -k, records gateway and Stratum-0 in "
                + "server.conf and checks that the Stratum-0 manifest verifies with those keys."})
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

    @Option(names = "-u", paramLabel = "gw,TMP_DIR,GATEWAY_URL",
            description = "upstream storage; only gw,... (publisher host behind a gateway) is accepted here")
    String upstream;

    @Option(names = "-w", paramLabel = "STRATUM0_URL", description = "URL the repository is served from (with -u)")
    URI stratum0;

    @Option(names = "-k", paramLabel = "KEY_DIR", description = "directory with REPO.crt, REPO.pub and REPO.gw (with -u)")
    Path keyDir;

    @Parameters(paramLabel = "REPO", description = "fully qualified repository name, e.g. repo.example.org")
    String fqrn;

    @Override
    public Integer call() {
        return server.run(spec, () -> {
            RepositoryLayout layout = new RepositoryLayout(server.hostPaths(), fqrn);
            RepositoryOwner repositoryOwner = owner == null ? RepositoryOwner.current() : RepositoryOwner.lookup(owner);
            if (upstream != null) {
                return createPublisher(layout, repositoryOwner);
            }
            if (stratum0 != null || keyDir != null) {
                throw new IllegalArgumentException("-w and -k belong to a publisher mkfs with -u gw,TMP_DIR,GATEWAY_URL");
            }
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

    private int createPublisher(RepositoryLayout layout, RepositoryOwner repositoryOwner) {
        if (stratum0 == null || keyDir == null) {
            throw new IllegalArgumentException("a publisher mkfs (-u gw,...) needs -w STRATUM0_URL and -k KEY_DIR");
        }
        GatewayMkfs.Options options = new GatewayMkfs.Options(GatewayUpstream.parse(upstream), stratum0, keyDir,
                repositoryOwner, algorithm);
        Manifest head = GatewayMkfs.create(layout, options, new HttpRepositorySource(stratum0), server.clock()).manifest();
        var out = spec.commandLine().getOut();
        out.println("Publisher for " + fqrn + " set up: gateway " + options.upstream().apiUrl() + ", Stratum-0 "
                + stratum0 + " at revision " + head.revision());
        out.println("  config " + layout.serverConf());
        out.flush();
        return ServerCommand.EXIT_OK;
    }
}
