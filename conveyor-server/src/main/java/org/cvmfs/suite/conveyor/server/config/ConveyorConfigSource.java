package org.cvmfs.suite.conveyor.server.config;

import io.smallrye.config.common.MapBackedConfigSource;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;
import org.cvmfs.suite.protocol.config.ConfigOrdinal;
import org.cvmfs.suite.protocol.config.TomlFile;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;

/**
 * Makes {@code config.toml} a configuration source, as notify-service does with its
 * {@code config.json}: {@code [server] port} becomes {@code quarkus.http.port}, {@code [db]} the
 * datasource, and every key is also visible as {@code conveyor.*}. Ranked by
 * {@link ConfigOrdinal#UPSTREAM_FILE}. A missing or invalid file contributes nothing here;
 * {@link ConveyorConfigFile#loadForServer()} refuses it at start with upstream's message.
 */
public final class ConveyorConfigSource extends MapBackedConfigSource {
    public ConveyorConfigSource() {
        this(ConveyorConfigFile.location(System::getenv));
    }

    private ConveyorConfigSource(Path file) {
        super("conveyor " + file, properties(file, System::getenv), ConfigOrdinal.UPSTREAM_FILE, false);
    }

    /** The file's settings as properties; empty when the file is missing or invalid. */
    static Map<String, String> properties(Path file, Function<String, String> env) {
        Map<String, String> props = new HashMap<>();
        if (!Files.isRegularFile(file)) {
            return props;
        }
        ConveyorConfig c;
        try {
            c = ConveyorConfig.from(TomlFile.read(file), ConveyorConfig.Profile.SERVER, env);
        } catch (RuntimeException invalid) {
            return props; // reported at start by ConveyorConfigFile.loadForServer()
        }
        props.putAll(c.asProperties());
        props.put("quarkus.http.port", Integer.toString(c.server().port()));
        props.put("quarkus.datasource.jdbc.url", c.db().jdbcUrl());
        props.put("quarkus.datasource.username", c.db().username());
        props.put("quarkus.datasource.password", c.db().password());
        return props;
    }
}
