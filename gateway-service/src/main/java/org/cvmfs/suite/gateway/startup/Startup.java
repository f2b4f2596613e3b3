package org.cvmfs.suite.gateway.startup;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.receiver.PayloadReceiver;
import org.cvmfs.suite.gateway.receiver.Receiver;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.repository.HeadPublisher;
import org.cvmfs.suite.protocol.repository.PendingReflog;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Builds the gateway's state before the first request: lease database opened, receiver backend
 * resolved, so that a problem stops start-up instead of failing a publisher later; and every
 * repository's head made whole again if the last run died while publishing a revision
 * ({@link HeadPublisher#recover}). A package of its own because it depends on every other.
 */
@Singleton
final class Startup {
    private static final Logger LOG = Logger.getLogger(Startup.class);

    void start(@Observes StartupEvent event, GatewaySettings settings, LeaseService leases, Receiver receiver,
               PayloadReceiver payloads, @ConfigProperty(name = "quarkus.application.version") String version) {
        System.out.println("CernVM-FS Gateway Service Version:\t " + version);
        GatewayUserConfig u = settings.user();
        LOG.infof("configuration: access_config_file=%s port=%d max_lease_time=%ds receiver_backend=%s"
                        + " num_receivers=%d receiver_path=%s work_dir=%s log_level=%s notify_url=%s",
                u.accessConfigFile(), u.port(), u.maxLeaseTime().toSeconds(), u.receiverBackend(), u.numReceivers(),
                u.receiverPath(), u.workDir(), u.logLevel(), u.notifyUrl().map(Object::toString).orElse("none"));
        LOG.infof("serving %d repositories %s; lease database %s", settings.access().repositories().size(),
                settings.access().repositories().keySet(), leases.store().file());
        LOG.debugf("receivers: commits by %s, payloads by %s", receiver.getClass().getSimpleName(),
                payloads.getClass().getSimpleName());
        for (String repository : settings.access().repositories().keySet()) {
            RepositoryLayout layout = new RepositoryLayout(settings.host(), repository);
            if (Files.exists(layout.pendingReflog())) {
                PendingReflog.Outcome outcome = HeadPublisher.recover(layout);
                LOG.warnf("repository %s: the last publication was interrupted; recovery %s it", repository,
                        outcome == PendingReflog.Outcome.COMPLETED ? "completed" : "dropped");
            }
        }
    }
}
