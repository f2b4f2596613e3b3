package org.cvmfs.suite.notify.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.cvmfs.suite.notify.config.NotifySettings;
import org.jboss.logging.Logger;

/** Builds the node from its settings and runs it for the life of the application. */
@Singleton
public final class ServiceProducer {
    private static final Logger LOG = Logger.getLogger(ServiceProducer.class);

    @Produces
    @Singleton
    NotificationService service(NotifySettings settings, PublicationRules rules, ActivityRelay relay) {
        LastValueCache cache = LastValueCache.open(settings.resolvedCacheDir(), rules);
        LOG.infof("last-value cache in %s (%d repositories), keys in %s, publish authentication %s",
                settings.resolvedCacheDir(), cache.repositories().size(), settings.resolvedKeysDir(), settings.publishAuth());
        return new NotificationService(rules, new PublishAuthenticator(settings.publishAuth(), settings.resolvedKeysDir()),
                cache, new SubscriberRegistry(), relay);
    }

    void start(@Observes StartupEvent event, NotificationService service, MeterRegistry metrics) {
        Gauge.builder("cvmfs.notify.subscribers", service, NotificationService::subscriberCount)
                .description("open subscriptions on this node").register(metrics);
        service.start();
    }

    void stop(@Observes ShutdownEvent event, NotificationService service) {
        service.stop();
    }
}
