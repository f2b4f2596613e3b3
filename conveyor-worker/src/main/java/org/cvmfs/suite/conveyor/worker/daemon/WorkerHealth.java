package org.cvmfs.suite.conveyor.worker.daemon;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/** {@code /q/health}: live while the job loop runs, ready while the broker connection is open. */
public final class WorkerHealth {
    private WorkerHealth() {
    }

    @Liveness
    @ApplicationScoped
    public static class Loop implements HealthCheck {
        @Inject
        WorkerDaemon daemon;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("conveyor worker loop").status(daemon.running()).build();
        }
    }

    @Readiness
    @ApplicationScoped
    public static class Broker implements HealthCheck {
        @Inject
        WorkerDaemon daemon;

        @Override
        public HealthCheckResponse call() {
            return HealthCheckResponse.named("RabbitMQ job queue").status(daemon.connected()).build();
        }
    }
}
