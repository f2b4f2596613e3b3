package org.cvmfs.suite.notify.config;

import java.util.Map;
import java.util.Set;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Makes {@code config.json} a configuration source. Its ordinal sits above
 * {@code application.properties} and below environment variables and system properties, so an
 * operator can still override any single property ({@code -Dquarkus.http.port=...}).
 */
public final class NotifyConfigSource implements ConfigSource {
    static final int ORDINAL = 275;

    private final String name;
    private final Map<String, String> properties;

    public NotifyConfigSource() {
        var file = NotifyConfigFile.location(System::getenv, HostPaths.fromEnvironment().etcCvmfs());
        this.name = "cvmfs-notify " + file;
        this.properties = Map.copyOf(NotifyConfigFile.properties(file, System::getenv));
    }

    @Override
    public Set<String> getPropertyNames() {
        return properties.keySet();
    }

    @Override
    public String getValue(String propertyName) {
        return properties.get(propertyName);
    }

    @Override
    public String getName() {
        return name;
    }

    @Override
    public int getOrdinal() {
        return ORDINAL;
    }
}
