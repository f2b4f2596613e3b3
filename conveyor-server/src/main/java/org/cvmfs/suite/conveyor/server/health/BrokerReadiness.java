package org.cvmfs.suite.conveyor.server.health;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.cvmfs.suite.conveyor.server.broker.BrokerConnection;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only while RabbitMQ is reachable (the datasource has its own check). */
@Readiness
@ApplicationScoped
public class BrokerReadiness implements HealthCheck {
    @Inject
    BrokerConnection broker;

    @Override
    public HealthCheckResponse call() {
        return HealthCheckResponse.named("rabbitmq").status(broker.isOpen()).build();
    }
}
