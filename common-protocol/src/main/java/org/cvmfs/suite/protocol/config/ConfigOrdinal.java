package org.cvmfs.suite.protocol.config;

/**
 * Where every daemon's mapping of an upstream configuration file ({@code user.json},
 * {@code config.json}, {@code config.toml}) ranks among Quarkus's configuration sources: above
 * {@code application.properties} (100, and 250 for the jar's own) and below environment variables
 * (300) and system properties (400), so the upstream file decides by default and an operator can
 * still override any single property. One number for all daemons, so they rank the same way.
 */
public final class ConfigOrdinal {
    /** The ordinal of a source mapping an upstream configuration file. */
    public static final int UPSTREAM_FILE = 275;

    private ConfigOrdinal() {
    }
}
