package org.cvmfs.suite.conveyor.server.config;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;

/** The validated server profile of {@code config.toml}, for injection. */
@ApplicationScoped
public class ServerSettings {
    @Produces
    @Singleton
    ConveyorConfig conveyorConfig() {
        return ConveyorConfigFile.loadForServer();
    }
}
