package org.cvmfs.suite.gateway.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.common.MapBackedConfigSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.protocol.config.ConfigOrdinal;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * Maps upstream's {@code user.json} (and the {@code gateway.<key>} flags) onto the Quarkus
 * settings it decides: port, connection idle timeout and bound, log level and format. A factory
 * rather than a plain source because which file to read is itself configuration
 * ({@code gateway.user_config_file}, a flag or a test's property). Ranked by
 * {@link ConfigOrdinal#UPSTREAM_FILE}, so an operator can still override any single Quarkus property.
 */
public final class GatewayConfigSourceFactory implements ConfigSourceFactory {
    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        GatewayUserConfig user = GatewaySettings.loadUser(name -> {
            ConfigValue v = context.getValue(name);
            return Optional.ofNullable(v == null ? null : v.getValue());
        });
        return List.of(new MapBackedConfigSource("cvmfs-gateway user.json", properties(user), ConfigOrdinal.UPSTREAM_FILE, false) {
        });
    }

    /** The Quarkus properties {@code user} decides. */
    static Map<String, String> properties(GatewayUserConfig user) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("quarkus.http.port", Integer.toString(user.port()));
        p.put("quarkus.http.idle-timeout", user.idleTimeout().toSeconds() + "s");
        p.put("quarkus.http.limits.max-connections", Integer.toString(user.maxConnections()));
        p.put("quarkus.log.category.\"org.cvmfs\".level", switch (user.logLevel()) {
            case "fatal", "panic" -> "FATAL";
            default -> user.logLevel().toUpperCase(Locale.ROOT);
        });
        if (!user.logTimestamps()) {
            p.put("quarkus.log.console.format", "%-5p [%c{2.}] %s%e%n");
        }
        return p;
    }
}
