package org.cvmfs.suite.gateway.commit;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.protocol.notify.NotifyClient;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.jboss.logging.Logger;

/**
 * Tells the notification service ({@code notify_url} in user.json) about every new revision, as
 * {@code cvmfs_swissknife notify -p} does after an upstream publish: an activity message carrying
 * the new {@code .cvmfspublished}. The manifest is read when the commit has installed it; the
 * message is sent afterwards on one background thread, in commit order. A slow or failing
 * notification service never fails or delays a commit: it costs a warning in the log.
 */
@Singleton
public class PublicationNotifier {
    private static final Logger LOG = Logger.getLogger(PublicationNotifier.class);

    private final GatewaySettings settings;
    private final Optional<NotifyClient> client;
    private final ExecutorService sender;
    private final MeterRegistry metrics;

    @Inject
    public PublicationNotifier(GatewaySettings settings, MeterRegistry metrics) {
        this.settings = settings;
        this.metrics = metrics;
        this.client = settings.user().notifyUrl().map(NotifyClient::create);
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "cvmfs-gateway-notify");
            t.setDaemon(true);
            return t;
        });
    }

    /** Announces the manifest {@code repository} serves now; returns at once. */
    public void published(String repository) {
        if (client.isEmpty()) {
            return;
        }
        Path manifest = settings.repositoryStorage(repository).resolve(RepositoryLayout.MANIFEST);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(manifest);
        } catch (IOException e) {
            outcome("failed");
            LOG.warnf("not announcing the new revision of %s: cannot read %s: %s", repository, manifest, e);
            return;
        }
        sender.execute(() -> send(client.get(), repository, bytes));
    }

    private void send(NotifyClient notify, String repository, byte[] manifest) {
        try {
            NotifyClient.PublishReply reply = notify.publish(repository, manifest);
            if (reply.accepted()) {
                outcome("sent");
                LOG.debugf("announced the new revision of %s to %s", repository, notify.publishUri());
            } else {
                outcome("refused");
                LOG.warnf("notification service %s refused the new revision of %s: HTTP %d %s", notify.publishUri(),
                        repository, reply.status(), reply.body().strip());
            }
        } catch (IOException | RuntimeException e) {
            outcome("failed");
            LOG.warnf("cannot announce the new revision of %s to %s: %s", repository, notify.publishUri(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void outcome(String kind) {
        metrics.counter("cvmfs_gateway_notifications", "outcome", kind).increment();
    }

    @PreDestroy
    void stop() {
        sender.shutdown();
        try {
            if (!sender.awaitTermination(5, TimeUnit.SECONDS)) {
                sender.shutdownNow();
            }
        } catch (InterruptedException e) {
            sender.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
