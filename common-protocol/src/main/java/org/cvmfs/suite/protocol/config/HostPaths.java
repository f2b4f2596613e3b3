package org.cvmfs.suite.protocol.config;

import java.nio.file.Path;

/**
 * Upstream's fixed host directories ({@code /etc/cvmfs}, {@code /srv/cvmfs},
 * {@code /var/spool/cvmfs}), optionally relocated under one prefix so that tests and
 * unprivileged installations never touch the real ones. The prefix comes from the system
 * property {@code cvmfs.suite.prefix} or, failing that, the environment variable
 * {@code CVMFS_SUITE_PREFIX}.
 */
public final class HostPaths {
    public static final String PREFIX_PROPERTY = "cvmfs.suite.prefix";
    public static final String PREFIX_VARIABLE = "CVMFS_SUITE_PREFIX";

    private final Path root;

    private HostPaths(Path root) {
        this.root = root;
    }

    public static HostPaths fromEnvironment() {
        String prefix = System.getProperty(PREFIX_PROPERTY);
        if (prefix == null || prefix.isEmpty()) {
            prefix = System.getenv(PREFIX_VARIABLE);
        }
        return new HostPaths(Path.of(prefix == null || prefix.isEmpty() ? "/" : prefix).toAbsolutePath());
    }

    public Path etcCvmfs() {
        return resolve("/etc/cvmfs");
    }

    public Path srvCvmfs() {
        return resolve("/srv/cvmfs");
    }

    public Path spoolCvmfs() {
        return resolve("/var/spool/cvmfs");
    }

    /** An upstream absolute host path (such as {@code /var/lib/cvmfs-gateway}) under the prefix. */
    public Path resolve(String absolutePath) {
        if (!absolutePath.startsWith("/")) {
            throw new IllegalArgumentException("host path must be absolute: '" + absolutePath + "'");
        }
        return root.resolve(absolutePath.substring(1));
    }
}
