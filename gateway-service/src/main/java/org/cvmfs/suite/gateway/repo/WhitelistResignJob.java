package org.cvmfs.suite.gateway.repo;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.protocol.manifest.SignedWhitelist;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.WhitelistResigner;
import org.jboss.logging.Logger;

/**
 * Keeps the whitelists of the configured repositories valid, which upstream's gateway leaves to
 * a cron job running {@code cvmfs_server resign}: every hour, each repository whose master key
 * ({@code /etc/cvmfs/keys/REPO.masterkey}) is on this host gets a new whitelist once the served
 * one expires within {@value #MARGIN_DAYS} days. Hosts that keep the master key offline are
 * skipped. A failure with one repository is logged and does not stop the others.
 */
@Singleton
public class WhitelistResignJob {
    public static final int MARGIN_DAYS = 7;
    private static final Logger LOG = Logger.getLogger(WhitelistResignJob.class);

    /** What the job did with one repository. */
    public enum Outcome {
        RESIGNED,
        STILL_VALID,
        NO_MASTER_KEY,
        FAILED
    }

    public record Result(String repository, Outcome outcome, String detail) {
    }

    private final RepositoryRegistry repositories;
    private final GatewaySettings settings;
    private final Clock clock;
    private final MeterRegistry metrics;

    @Inject
    public WhitelistResignJob(RepositoryRegistry repositories, GatewaySettings settings, Clock clock,
                              MeterRegistry metrics) {
        this.repositories = repositories;
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Scheduled(identity = "whitelist-resign", every = "${cvmfs.gateway.whitelist-resign-every:1h}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        resignDue();
    }

    /** One round over all configured repositories. */
    public List<Result> resignDue() {
        WhitelistResigner resigner = new WhitelistResigner(clock);
        List<Result> results = new ArrayList<>();
        for (Repository repository : repositories.all()) {
            Result result = resignIfDue(resigner, new RepositoryLayout(settings.host(), repository.name()));
            metrics.counter("cvmfs_gateway_whitelist_resign", "outcome", result.outcome().name().toLowerCase(java.util.Locale.ROOT))
                    .increment();
            results.add(result);
        }
        return results;
    }

    private Result resignIfDue(WhitelistResigner resigner, RepositoryLayout layout) {
        String fqrn = layout.fqrn();
        if (!Files.exists(layout.keyDirectory().masterKeyFile(fqrn))) {
            LOG.debugf("whitelist of %s: no master key at %s, not re-signing", fqrn,
                    layout.keyDirectory().masterKeyFile(fqrn));
            return new Result(fqrn, Outcome.NO_MASTER_KEY, "");
        }
        try {
            Optional<SignedWhitelist> signed = resigner.resignIfDue(layout, Duration.ofDays(MARGIN_DAYS));
            if (signed.isEmpty()) {
                LOG.debugf("whitelist of %s is valid for more than %d days", fqrn, MARGIN_DAYS);
                return new Result(fqrn, Outcome.STILL_VALID, "");
            }
            String expires = signed.get().whitelist().expires().toString();
            LOG.infof("whitelist re-signed: repository=%s expires=%s", fqrn, expires);
            return new Result(fqrn, Outcome.RESIGNED, expires);
        } catch (RuntimeException e) {
            LOG.warnf("whitelist of %s could not be re-signed: %s", fqrn, e.getMessage());
            return new Result(fqrn, Outcome.FAILED, String.valueOf(e.getMessage()));
        }
    }
}
