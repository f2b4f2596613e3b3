package org.cvmfs.suite.notify.relay;

import org.cvmfs.suite.notify.service.ActivityRelay;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Not ready while the relay cannot carry messages both ways (broker away, a channel being
 * reopened): publications still reach local subscribers, but no other node.
 */
@Readiness
@Singleton
public final class RelayHealthCheck implements HealthCheck {
    private final ActivityRelay relay;

    @Inject
    public RelayHealthCheck(ActivityRelay relay) {
        this.relay = relay;
    }

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("notification relay").status(relay.connected()).build();
    }
}
