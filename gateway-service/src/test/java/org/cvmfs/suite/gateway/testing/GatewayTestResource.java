package org.cvmfs.suite.gateway.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import org.cvmfs.suite.protocol.config.HostPaths;

/**
 * Starts the gateway on a fresh {@link TestHost}. {@code cvmfs_server} is replaced by a script
 * that records its arguments, so the gc route runs for real without a real repository tool.
 */
public final class GatewayTestResource implements QuarkusTestResourceLifecycleManager {
    private static volatile TestHost host;

    public static TestHost host() {
        return host;
    }

    @Override
    public Map<String, String> start() {
        host = TestHost.create();
        System.setProperty(HostPaths.PREFIX_PROPERTY, host.prefix().toString());
        return Map.of(
                "gateway.user_config_file", host.userConfig().toString(),
                "cvmfs.gateway.server-command", fakeServerCommand().toString());
    }

    @Override
    public void stop() {
        System.clearProperty(HostPaths.PREFIX_PROPERTY);
        host.delete();
    }

    /** Prints its arguments; fails with status 3 for a repository named in FAIL_GC. */
    private static Path fakeServerCommand() {
        try {
            Path script = host.prefix().resolve("cvmfs_server");
            Files.writeString(script, """
                    #!/bin/sh
                    echo "gc args: $*"
                    echo "to stderr" >&2
                    case "$*" in *other.test*) exit 3 ;; esac
                    exit 0
                    """);
            Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
            return script;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
