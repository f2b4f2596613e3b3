package org.cvmfs.suite.gateway.config;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.config.ConfigProvider;

/** Makes the settings injectable; loaded on first use, which start-up forces. */
public final class SettingsProducer {
    @Produces
    @Singleton
    GatewaySettings settings() {
        return GatewaySettings.load(name -> ConfigProvider.getConfig().getOptionalValue(name, String.class));
    }
}
