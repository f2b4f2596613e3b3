package org.cvmfs.suite.gateway.admin;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.ReentrantLock;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.repo.LeaseAndCommitLocks;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.gateway.LeasePathException;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.repository.RepositoryException;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.gc.GarbageCollector;
import org.cvmfs.suite.protocol.repository.gc.GcOptions;
import org.cvmfs.suite.protocol.repository.gc.GcReport;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/** Operations for admin keys: enable or disable a repository, cancel leases, collect garbage. */
@Singleton
public class AdminService {
    private static final Logger LOG = Logger.getLogger(AdminService.class);

    private final RepositoryRegistry repositories;
    private final LeaseService leases;
    private final LeaseAndCommitLocks locks;
    private final GatewaySettings settings;
    private final Clock clock;
    private final Duration timeout;
    private final Duration grace;

    @Inject
    public AdminService(RepositoryRegistry repositories, LeaseService leases, LeaseAndCommitLocks locks,
                        GatewaySettings settings, Clock clock,
                        @ConfigProperty(name = "cvmfs.gateway.gc-timeout", defaultValue = "2h") Duration timeout) {
        this.repositories = repositories;
        this.leases = leases;
        this.locks = locks;
        this.settings = settings;
        this.clock = clock;
        this.timeout = timeout;
        // a payload of a lease still alive may have written an object this long ago
        this.grace = settings.user().maxLeaseTime();
    }

    public GatewayReply setEnabled(String repository, boolean enabled) {
        if (repositories.find(repository).isEmpty()) {
            return GatewayReply.error("invalid_repo");
        }
        repositories.setEnabled(repository, enabled);
        LOG.infof("repository %s: new leases %s", repository, enabled ? "enabled" : "disabled");
        return GatewayReply.ok();
    }

    /** {@code remainder} is {@code <repo>/<subpath prefix>} from the URL. */
    public GatewayReply cancelLeases(String remainder) {
        LeasePath prefix;
        try {
            prefix = LeasePath.parse(remainder);
        } catch (LeasePathException e) {
            return GatewayReply.error(e.getMessage());
        }
        int n = leases.cancelByPrefix(prefix.repository(), prefix.subpath());
        LOG.infof("admin cancelled %d lease(s) under %s", n, prefix);
        return GatewayReply.ok();
    }

    /**
     * {@code cvmfs_server gc -f} of {@code request.repo}, run in this process: the same
     * {@link GarbageCollector} as the command, with the same thresholds ({@code num_revisions} as
     * {@code -r}, {@code timestamp} as {@code -t}, neither: three days). It holds the repository's
     * lease and commit locks, so no lease is granted and no commit, drop or cancel runs meanwhile,
     * and it refuses to run while a lease is active (its uploads are not referenced by any
     * revision yet). Past {@code cvmfs.gateway.gc-timeout} it stops before its next deletion, so it
     * has stopped when the locks are released; what it deleted until then stays deleted.
     */
    public GatewayReply collectGarbage(GcRequest request) {
        String repo = request.repo() == null ? "" : request.repo();
        if (repositories.find(repo).isEmpty()) {
            return GatewayReply.error("invalid_repo");
        }
        GcOptions options = request.numRevisions() > 0
                ? GcOptions.keepRevisions(request.numRevisions(), grace)
                : request.time().map(t -> GcOptions.keepSince(t.toInstant(), grace))
                        .orElse(GcOptions.upstreamDefault(clock, grace));
        if (request.dryRun()) {
            options = options.asDryRun();
        }
        RepositoryLayout layout = new RepositoryLayout(settings.host(), repo);
        ReentrantLock committing = locks.committing(repo);
        ReentrantLock leasing = locks.leasing(repo);
        committing.lock();
        leasing.lock();
        try {
            long active = leases.active().stream().filter(l -> l.repository().equals(repo)).count();
            if (active > 0) {
                return GatewayReply.error("garbage collection refused: " + active + " active lease(s) on " + repo);
            }
            StringBuilder deleted = new StringBuilder();
            Instant deadline = clock.instant().plus(timeout);
            LOG.infof("garbage collection: repository=%s options=%s", repo, options);
            GcReport report = new GarbageCollector(layout, layout.keyDirectory().readRepositoryKeys(repo), clock)
                    .collect(options, object -> {
                        if (request.verbose()) {
                            deleted.append(object).append('\n');
                        }
                    }, () -> clock.instant().isAfter(deadline));
            LOG.infof("garbage collection of %s: %s", repo, report.summary());
            return GatewayReply.gcOutput(deleted + report.summary() + "\n");
        } catch (GarbageCollector.StoppedException e) {
            LOG.warnf("garbage collection of %s timed out after %ds: %s", repo, timeout.toSeconds(),
                    e.partial().summary());
            return GatewayReply.error("garbage collection timed out after " + timeout.toSeconds() + "s ("
                    + e.partial().summary() + ")");
        } catch (RepositoryException | UncheckedIOException | ManifestException e) {
            LOG.warnf("garbage collection of %s failed: %s", repo, e.getMessage());
            return GatewayReply.error(e.getMessage());
        } finally {
            leasing.unlock();
            committing.unlock();
        }
    }
}
