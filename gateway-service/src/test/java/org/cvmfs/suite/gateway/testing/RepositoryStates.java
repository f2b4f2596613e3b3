package org.cvmfs.suite.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.testing.Fixtures;

/**
 * Puts {@code capture.test} of the running gateway's {@link TestHost} back into one recorded
 * state of the upstream publication fixture, so that tests which publish for real start alike.
 */
public final class RepositoryStates {
    private RepositoryStates() {
    }

    public static RepositoryLayout layout(String repository) {
        return new RepositoryLayout(HostPaths.under(GatewayTestResource.host().prefix()), repository);
    }

    /**
     * Storage replaced by the fixture's {@code state} ({@code before}, {@code after-a}, {@code after-b}),
     * spool area emptied, and the gateway-side {@code server.conf} in place (whitelist re-signing
     * reads the hash algorithm there).
     */
    public static RepositoryLayout reset(String state) {
        return reset(layout(TestHost.REPO), state);
    }

    /** {@link #reset(String)} of {@code capture.test} on a host of the test's own, {@code layout}. */
    public static RepositoryLayout reset(RepositoryLayout layout, String state) {
        Path fixture = Fixtures.gatewayPublication();
        try {
            DirectoryTree.delete(layout.servedRoot());
            DirectoryTree.delete(layout.spoolDir());
            DirectoryTree.copy(fixture.resolve(state), layout.servedRoot());
            Files.createDirectories(layout.dataDir().resolve("txn"));
            Files.createDirectories(layout.configDir());
            Files.copy(fixture.resolve("server-config/gateway-side.server.conf"), layout.serverConf(),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return layout;
    }

    /** Back to what {@link TestHost} built, for the tests that expect {@code capture.test} untouched. */
    public static void restore() {
        DirectoryTree.delete(reset("before").configDir());
    }
}
