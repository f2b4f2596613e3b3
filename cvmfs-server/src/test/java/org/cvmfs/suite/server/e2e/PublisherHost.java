package org.cvmfs.suite.server.e2e;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.gateway.GatewayClient;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.server.publish.Publisher;
import org.cvmfs.suite.server.publish.PublisherSpool;
import org.cvmfs.suite.server.publish.PublisherConfiguration;
import org.cvmfs.suite.server.publish.TransactionState;

/**
 * A publisher host under a temporary prefix, set up with the tutorial's
 * {@code cvmfs_server mkfs -u gw,SPOOL/tmp/,API -w STRATUM0 -k KEYS}, driven through the
 * {@code cvmfs_server} command line.
 */
final class PublisherHost {
    private final ServerCli cli;

    private PublisherHost(Path prefix) {
        this.cli = new ServerCli(prefix);
    }

    /** A publisher of the gateway's repository that sends its API requests to {@code gatewayApi}. */
    static PublisherHost create(Path prefix, GatewayHost gateway, URI gatewayApi) {
        PublisherHost host = new PublisherHost(prefix);
        Path spoolTmp = host.layout().spoolDir().resolve("tmp");
        host.cli.ok("mkfs", "-o", "root", "-k", gateway.keysForPublishers(prefix.resolve("keys")).toString(),
                "-u", "gw," + spoolTmp + "/," + gatewayApi, "-w", gateway.stratum0Url().toString(), GatewayHost.REPO);
        return host;
    }

    Path prefix() {
        return cli.prefix();
    }

    ServerCli cli() {
        return cli;
    }

    RepositoryLayout layout() {
        return new RepositoryLayout(HostPaths.under(cli.prefix()), GatewayHost.REPO);
    }

    ServerCli.Result transaction(String leasePath, String... options) {
        List<String> args = new ArrayList<>(List.of("transaction"));
        args.addAll(List.of(options));
        args.add(GatewayHost.REPO + leasePath);
        return cli.run(args.toArray(String[]::new));
    }

    ServerCli.Result publish(String... options) {
        List<String> args = new ArrayList<>(List.of("publish"));
        args.addAll(List.of(options));
        args.add(GatewayHost.REPO);
        return cli.run(args.toArray(String[]::new));
    }

    ServerCli.Result abort(String... options) {
        List<String> args = new ArrayList<>(List.of("abort"));
        args.addAll(List.of(options));
        args.add(GatewayHost.REPO);
        return cli.run(args.toArray(String[]::new));
    }

    /** Where the leased subtree is edited: bind-mounted at /cvmfs/REPO/PATH as root, the spool's copy otherwise. */
    Path tree(String leasePath) {
        return publisher().editableTree(RepositoryPath.of(leasePath));
    }

    Optional<TransactionState> state() {
        return publisher().spool().load();
    }

    boolean holdsToken() {
        return Files.exists(publisher().spool().sessionTokenFile());
    }

    /** True if the spool's object cache holds the object. */
    boolean caches(ContentHash hash) {
        return new ObjectStore(publisher().spool().objectCache()).contains(hash);
    }

    /** The spool's upper layer of an overlay transaction: what the transaction changed. */
    Path upperLayer() {
        return publisher().spool().upperTree();
    }

    /** Drops this host's lease at the gateway behind the publisher's back (as an expiry or an admin would). */
    void dropLeaseAtTheGateway() {
        var settings = PublisherConfiguration.load(layout());
        String token = state().orElseThrow().sessionToken();
        if (!new GatewayClient(settings.gatewayApi(), settings.gatewayKey(), settings.gatewayTimeout(), "test").drop(token).isOk()) {
            throw new IllegalStateException("the gateway did not drop lease " + token);
        }
    }

    /** Leaves the host without a transaction whatever a failed test left behind. */
    void forgetTransaction() {
        if (holdsToken() || Files.exists(publisher().spool().stateFile())) {
            cli.run("abort", "-f", GatewayHost.REPO);
        }
    }

    /** The publisher's spool on this host. */
    PublisherSpool spool() {
        return publisher().spool();
    }

    private Publisher publisher() {
        return new Publisher(PublisherConfiguration.load(layout()), Clock.systemUTC(), line -> { });
    }
}
