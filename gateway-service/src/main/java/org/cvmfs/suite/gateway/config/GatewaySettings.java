package org.cvmfs.suite.gateway.config;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.cvmfs.suite.protocol.config.GatewayRepoConfig;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.config.HostPaths;

/**
 * Everything the gateway is configured with, read once at start-up: the host directories, the
 * service settings ({@code user.json} plus flags) and the access configuration
 * ({@code repo.json} plus key files).
 *
 * <p>Flags are MicroProfile config properties {@code gateway.<user.json key>} (system
 * properties, set by the launcher from {@code --key=value}, or {@code GATEWAY_<KEY>}
 * environment variables); {@code gateway.user_config_file} selects the {@code user.json}.
 */
public record GatewaySettings(HostPaths host, GatewayUserConfig user, GatewayRepoConfig access) {
    public static final String PROPERTY_PREFIX = "gateway.";
    public static final String USER_CONFIG_FILE = "user_config_file";

    /** Reads both files; refusals are {@link org.cvmfs.suite.protocol.config.ConfigException}s naming the file. */
    public static GatewaySettings load(HostPaths host, Optional<String> userConfigFile, Map<String, String> flags) {
        Path userFile = userConfigFile.map(Path::of).orElse(host.etcCvmfs().resolve("gateway/user.json"));
        GatewayUserConfig user = GatewayUserConfig.read(userFile, flags, host);
        GatewayRepoConfig access = GatewayRepoConfig.read(user.accessConfigFile(), host.etcCvmfs().resolve("keys"));
        return new GatewaySettings(host, user, access);
    }

    /** Loads with the flags found by {@code property} (a config property name to its value). */
    public static GatewaySettings load(Function<String, Optional<String>> property) {
        return load(HostPaths.fromEnvironment(), property.apply(PROPERTY_PREFIX + USER_CONFIG_FILE), flags(property));
    }

    /** Only {@code user.json} and the flags: what the service's own settings derive from. */
    public static GatewayUserConfig loadUser(Function<String, Optional<String>> property) {
        HostPaths host = HostPaths.fromEnvironment();
        Path userFile = property.apply(PROPERTY_PREFIX + USER_CONFIG_FILE).map(Path::of)
                .orElse(host.etcCvmfs().resolve("gateway/user.json"));
        return GatewayUserConfig.read(userFile, flags(property), host);
    }

    private static Map<String, String> flags(Function<String, Optional<String>> property) {
        Map<String, String> flags = new LinkedHashMap<>();
        for (String key : GatewayUserConfig.KEYS) {
            property.apply(PROPERTY_PREFIX + key).ifPresent(v -> flags.put(key, v));
        }
        return flags;
    }

    /** Where a repository's served tree (manifest, {@code data/}) lives: {@code /srv/cvmfs/<name>}. */
    public Path repositoryStorage(String repository) {
        return host.srvCvmfs().resolve(repository);
    }
}
