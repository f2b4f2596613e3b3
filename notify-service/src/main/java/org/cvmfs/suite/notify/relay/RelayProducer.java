package org.cvmfs.suite.notify.relay;

import org.cvmfs.suite.notify.service.ActivityRelay;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.cvmfs.suite.notify.config.NotifySettings;

/** The broker relay, or none in {@code testing_mode}. */
@Singleton
public final class RelayProducer {
    @Produces
    @Singleton
    ActivityRelay relay(NotifySettings settings) {
        return settings.testingMode() ? new SingleNodeRelay() : RabbitRelay.create(settings.amqp());
    }

    void close(@Disposes ActivityRelay relay) {
        relay.stop();
    }
}
