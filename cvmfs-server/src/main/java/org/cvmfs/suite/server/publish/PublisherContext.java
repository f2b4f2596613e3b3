package org.cvmfs.suite.server.publish;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.gateway.GatewayClient;
import org.cvmfs.suite.protocol.gateway.GatewayException;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * What every step of a publisher host's work on one repository shares: its settings, the spool,
 * the gateway client (its lease requests signed with a time stamp and nonce, which our gateway
 * checks against replays and upstream's gateway ignores: it decodes only {@code path} and
 * {@code api_version}; stamped by the wall clock, not {@code clock}, which may be set back to verify
 * an old whitelist), the Stratum-0 (through the spool's object cache), the clock and where
 * progress is printed. One per command; the steps ({@link TransactionOpener},
 * {@link TransactionPublication}, {@link Ingestion}, {@link TransactionAbort}) take it.
 */
public final class PublisherContext {
    private final PublisherSettings settings;
    private final PublisherSpool spool;
    private final GatewayClient gateway;
    private final RepositorySource stratum0;
    private final Clock clock;
    private final Consumer<String> out;

    public PublisherContext(PublisherSettings settings, RepositorySource stratum0, Clock clock, Consumer<String> out) {
        this.settings = settings;
        this.spool = new PublisherSpool(settings.spoolDir());
        this.gateway = new GatewayClient(settings.gatewayApi(), settings.gatewayKey(), settings.gatewayTimeout(),
                "cvmfs/2.12.0").replayProtected(Clock.systemUTC());
        this.stratum0 = stratum0;
        this.clock = clock;
        this.out = out;
    }

    public PublisherSettings settings() {
        return settings;
    }

    public PublisherSpool spool() {
        return spool;
    }

    GatewayClient gateway() {
        return gateway;
    }

    Clock clock() {
        return clock;
    }

    /** Prints one line of progress. */
    void say(String line) {
        out.accept(line);
    }

    void warn(String warning) {
        out.accept("Warning: " + warning);
    }

    /** The Stratum-0 through the spool's cache of immutable objects. */
    ObjectCache cache() {
        return new ObjectCache(stratum0, new ObjectStore(spool.objectCache()));
    }

    /** The head as the Stratum-0 serves it, its signature and whitelist verified. */
    Manifest verifiedHead() {
        return new ManifestVerifier(settings.masterKeys(), clock).verify(stratum0, settings.repository()).manifest();
    }

    /** Where working trees are shown as root ({@code CVMFS_UNION_DIR}); every step on it is a no-op where nothing is mounted. */
    Optional<WorkTreeMount> mount() {
        return settings.repositoryMount().map(WorkTreeMount::new);
    }

    /**
     * The mount for a new transaction: as root, if this host permits bind mounts; otherwise
     * (a container, a user namespace) none, with a warning, and the spool's working tree is edited.
     */
    Optional<WorkTreeMount> mountForTransaction() {
        Optional<WorkTreeMount> mount = mount();
        if (mount.isPresent() && !WorkTreeMount.permitted(tmp("mount-probe"))) {
            warn("bind mounts are not permitted here; the transaction is edited in " + spool.workTree());
            return Optional.empty();
        }
        return mount;
    }

    /**
     * The mount for an overlay transaction: as root, if this host lets us mount an overlay of the
     * spool's directories (not in a container without {@code CAP_SYS_ADMIN}, not with the spool on
     * a file system overlayfs refuses as its upper layer); otherwise none, and the transaction is a copy.
     */
    Optional<WorkTreeMount> overlayMount() {
        return mount().filter(m -> WorkTreeMount.overlayPermitted(tmp("overlay-probe")));
    }

    /** Where the leased subtree can be edited: {@code /cvmfs/REPO/PATH} when bind-mounted there, the spool's working tree otherwise. */
    public Path editableTree(RepositoryPath leasePath) {
        return mount().map(m -> m.mountpoint(leasePath)).filter(p -> mount().orElseThrow().isMounted(p))
                .orElse(spool.workTree());
    }

    /** A scratch location below the spool's {@code tmp} directory. */
    Path tmp(String name) {
        return spool.tmpDir().resolve(name);
    }

    /** The file whose time stamp tells the file system's clock (see {@link TreeSnapshot#take}). */
    Path clockProbe() {
        return spool.tmpDir().resolve("clock.probe");
    }

    /** Drops a lease without caring whether the gateway hears it: it expires on its own. */
    void dropQuietly(String token) {
        try {
            gateway.drop(token);
        } catch (GatewayException ignored) {
            // the lease expires on its own
        }
    }

    static String display(RepositoryPath p) {
        return p.isRoot() ? "/" : p.toString();
    }
}
