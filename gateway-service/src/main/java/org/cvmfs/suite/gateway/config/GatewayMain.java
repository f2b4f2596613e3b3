package org.cvmfs.suite.gateway.config;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Locale;
import java.util.Optional;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;

/**
 * {@code cvmfs_gateway [--key=value ...]}: takes upstream's flags, checks the configuration
 * before anything starts (a bad file is one clear line and exit status 1, as upstream, not a
 * stack trace), then runs the service on the configured port.
 */
@QuarkusMain
public final class GatewayMain {
    GatewayMain() {
    }

    public static void main(String... args) {
        try {
            for (String arg : args) {
                applyFlag(arg);
            }
            // refused here with one line; the Quarkus settings come from GatewayConfigSourceFactory
            GatewaySettings.load(GatewayMain::systemOrEnvironment);
        } catch (ConfigException | IllegalArgumentException e) {
            System.err.println("cvmfs_gateway: " + e.getMessage());
            System.exit(1);
        }
        Quarkus.run(args);
    }

    private static void applyFlag(String arg) {
        if (!arg.startsWith("--") || arg.indexOf('=') < 3) {
            throw new IllegalArgumentException("expected options of the form --key=value, got '" + arg + "'");
        }
        String key = arg.substring(2, arg.indexOf('='));
        if (!GatewayUserConfig.KEYS.contains(key) && !key.equals(GatewaySettings.USER_CONFIG_FILE)) {
            throw new IllegalArgumentException("unknown option --" + key);
        }
        System.setProperty(GatewaySettings.PROPERTY_PREFIX + key, arg.substring(arg.indexOf('=') + 1));
    }

    /**
     * A property as MicroProfile config would find it before Quarkus runs: system property, then
     * environment variable in MicroProfile's mapping ({@code gateway.port} as {@code GATEWAY_PORT}).
     */
    private static Optional<String> systemOrEnvironment(String property) {
        String value = System.getProperty(property);
        if (value == null) {
            value = System.getenv(property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_"));
        }
        return Optional.ofNullable(value);
    }
}
