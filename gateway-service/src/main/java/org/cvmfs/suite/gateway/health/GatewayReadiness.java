package org.cvmfs.suite.gateway.health;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Files;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.repo.Repository;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the lease database answers and every repository's storage is a writable directory. */
@Readiness
@Singleton
public class GatewayReadiness implements HealthCheck {
    @Inject
    LeaseService leases;
    @Inject
    RepositoryRegistry repositories;

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder b = HealthCheckResponse.named("gateway");
        boolean up = leases.store().isHealthy();
        b.withData("lease_database", up ? "ok" : "unavailable");
        for (Repository r : repositories.all()) {
            boolean usable = Files.isDirectory(r.storage().resolve("data")) && Files.isWritable(r.storage());
            b.withData(r.name(), usable ? "ok" : "storage missing or not writable: " + r.storage());
            up &= usable;
        }
        return b.status(up).build();
    }
}
