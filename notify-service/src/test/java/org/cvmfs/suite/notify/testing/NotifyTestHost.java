package org.cvmfs.suite.notify.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.testing.Fixtures;

/**
 * A fresh host for the service under test: an empty cache directory, and a keys directory
 * holding the certificate of the fixture repository {@code capture.test} and a gateway key for
 * {@link #HMAC_REPOSITORY}. Removed when the tests end.
 */
public final class NotifyTestHost implements QuarkusTestResourceLifecycleManager {
    public static final String SIGNED_REPOSITORY = "capture.test";
    public static final String HMAC_REPOSITORY = "hmac.test";
    public static final GatewayKey HMAC_KEY = new GatewayKey("key1", "big_secret");

    private Path root;

    @Override
    public Map<String, String> start() {
        try {
            root = Files.createTempDirectory("notify-test-host");
            Path keys = Files.createDirectories(root.resolve("keys"));
            Files.copy(Fixtures.gatewayPublication().resolve("keys/capture.test.crt"), keys.resolve("capture.test.crt"));
            Files.writeString(keys.resolve(HMAC_REPOSITORY + ".gw"), HMAC_KEY.toFileContent());
            return Map.of(
                    "cvmfs.notify.cache-dir", root.resolve("cache").toString(),
                    "cvmfs.notify.keys-dir", keys.toString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void stop() {
        if (root != null) {
            DirectoryTree.delete(root);
        }
    }
}
