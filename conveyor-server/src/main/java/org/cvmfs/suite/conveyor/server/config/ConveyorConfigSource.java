package org.cvmfs.suite.conveyor.server.config;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Makes {@code config.toml} a configuration source, as notify-service does with its
 * {@code config.json}: {@code [server] port} becomes {@code quarkus.http.port}, {@code [db]} the
 * datasource, and every key is also visible as {@code conveyor.*}. The ordinal sits above
 * {@code application.properties} and below environment variables and system properties. A
 * missing or invalid file contributes nothing here; {@link ConveyorConfigFile#loadForServer()}
 * refuses it at start with upstream's message.
 */
public final class ConveyorConfigSource implements ConfigSource {
    static final int ORDINAL = 275;

    private final String name;
    private final Map<String, String> properties;

    public ConveyorConfigSource() {
        Path file = ConveyorConfigFile.location(System::getenv);
        this.name = "conveyor " + file;
        Map<String, String> props = new HashMap<>();
        if (Files.isRegularFile(file)) {
            try {
                ConveyorConfig c = ConveyorConfig.from(org.cvmfs.suite.protocol.config.TomlFile.read(file),
                        ConveyorConfig.Profile.SERVER, System::getenv);
                props.putAll(c.asProperties());
                props.put("quarkus.http.port", Integer.toString(c.server().port()));
                props.put("quarkus.datasource.jdbc.url", c.db().jdbcUrl());
                props.put("quarkus.datasource.username", c.db().username());
                props.put("quarkus.datasource.password", c.db().password());
            } catch (RuntimeException invalid) {
                // reported at start by ConveyorConfigFile.loadForServer()
            }
        }
        this.properties = Map.copyOf(props);
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
