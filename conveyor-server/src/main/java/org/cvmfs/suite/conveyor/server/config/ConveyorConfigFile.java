package org.cvmfs.suite.conveyor.server.config;

import java.nio.file.Path;
import java.util.function.Function;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;

/**
 * Where the server's {@code config.toml} is: the system property {@value #PROPERTY}, else the
 * environment variable {@value #ENV} (what {@code conveyor -c FILE server} sets), else
 * {@code /etc/cvmfs/conveyor/config.toml}.
 */
public final class ConveyorConfigFile {
    public static final String PROPERTY = "conveyor.config";
    public static final String ENV = "CONVEYOR_CONFIG";

    private ConveyorConfigFile() {
    }

    public static Path location(Function<String, String> env) {
        String p = System.getProperty(PROPERTY);
        if (p == null || p.isBlank()) {
            p = env.apply(ENV);
        }
        return p == null || p.isBlank() ? ConveyorConfig.defaultPath() : Path.of(p);
    }

    /** The server profile of the file, validated (ConfigException otherwise). */
    public static ConveyorConfig loadForServer() {
        ConveyorConfig config = ConveyorConfig.load(location(System::getenv), ConveyorConfig.Profile.SERVER, System::getenv);
        config.requirePostgres();
        return config;
    }
}
