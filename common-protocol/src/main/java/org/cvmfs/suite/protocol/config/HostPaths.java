package org.cvmfs.suite.protocol.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Function;

/**
 * The host directories of a CernVM-FS server ({@code /etc/cvmfs}, {@code /srv/cvmfs},
 * {@code /var/spool/cvmfs}), all relocatable under one prefix so that tests and the quickstart
 * never touch the system. The prefix comes from the system property {@value #PREFIX_PROPERTY},
 * else the environment variable {@value #PREFIX_ENV}, else it is {@code /}.
 */
public final class HostPaths {
    public static final String PREFIX_ENV = "CVMFS_SUITE_PREFIX";
    public static final String PREFIX_PROPERTY = "cvmfs.suite.prefix";

    private final Path prefix;

    private HostPaths(Path prefix) {
        this.prefix = Objects.requireNonNull(prefix, "prefix").toAbsolutePath().normalize();
    }

    /** Upstream's defaults, relocated if the property or the environment names a prefix. */
    public static HostPaths fromEnvironment() {
        return fromEnvironment(System::getenv);
    }

    /** As {@link #fromEnvironment()}, with the environment of a command the process runs for someone else. */
    public static HostPaths fromEnvironment(Function<String, String> env) {
        String configured = System.getProperty(PREFIX_PROPERTY);
        if (configured == null || configured.isBlank()) {
            configured = env.apply(PREFIX_ENV);
        }
        return configured == null || configured.isBlank() ? system() : under(Path.of(configured));
    }

    public static HostPaths system() {
        return new HostPaths(Path.of("/"));
    }

    public static HostPaths under(Path prefix) {
        return new HostPaths(prefix);
    }

    public Path prefix() {
        return prefix;
    }

    public Path etcCvmfs() {
        return prefix.resolve("etc/cvmfs");
    }

    public Path srvCvmfs() {
        return prefix.resolve("srv/cvmfs");
    }

    public Path spoolCvmfs() {
        return prefix.resolve("var/spool/cvmfs");
    }

    /** Any upstream absolute host path (such as {@code /var/lib/cvmfs-gateway}) under the prefix. */
    public Path resolve(String absolutePath) {
        if (!absolutePath.startsWith("/")) {
            throw new IllegalArgumentException("host path must be absolute: '" + absolutePath + "'");
        }
        return prefix.resolve(absolutePath.substring(1));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostPaths h && prefix.equals(h.prefix);
    }

    @Override
    public int hashCode() {
        return prefix.hashCode();
    }

    @Override
    public String toString() {
        return "HostPaths[" + prefix + "]";
    }
}
