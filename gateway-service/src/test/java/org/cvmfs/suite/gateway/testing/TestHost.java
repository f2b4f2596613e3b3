package org.cvmfs.suite.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.repository.MkfsOptions;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryOwner;
import org.cvmfs.suite.protocol.repository.Stratum0Creator;
import org.cvmfs.suite.protocol.testing.Fixtures;

/**
 * A gateway host under a temporary prefix, built from the recorded upstream publication:
 * {@code capture.test} starts as the fixture's {@code before/} state with its keys; two more
 * repositories exercise path restrictions and admin keys.
 */
public final class TestHost {
    public static final String REPO = "capture.test";
    /** key1 may lease anywhere in capture.test and other.test; key2 only below /restricted of other.test. */
    public static final String OTHER_REPO = "other.test";
    /** Made by mkfs with garbage collection enabled ({@code -z}); key1 may lease anywhere in it. */
    public static final String GC_REPO = "gc.test";
    public static final GatewayKey KEY1 = new GatewayKey("key1", "big_secret");
    public static final GatewayKey KEY2 = new GatewayKey("key2", "second_secret");
    public static final GatewayKey ADMIN = new GatewayKey("admin1", "admin_secret");
    /** Configured with no repository: signs validly but may lease nothing. */
    public static final GatewayKey STRANGER = new GatewayKey("stranger", "stranger_secret");

    private final Path prefix;

    private TestHost(Path prefix) {
        this.prefix = prefix;
    }

    public static TestHost create() {
        try {
            Path prefix = Files.createTempDirectory("cvmfs-gateway-test.");
            TestHost host = new TestHost(prefix);
            host.build();
            return host;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Removes the whole prefix. */
    public void delete() {
        DirectoryTree.delete(prefix);
    }

    public Path prefix() {
        return prefix;
    }

    public Path storage(String repository) {
        return prefix.resolve("srv/cvmfs").resolve(repository);
    }

    public Path workDir() {
        return prefix.resolve("var/lib/cvmfs-gateway");
    }

    /** The gateway's settings for this host, as the service loads them, without any process-wide property. */
    public GatewaySettings settings() {
        return GatewaySettings.load(HostPaths.under(prefix), Optional.of(userConfig().toString()), Map.of());
    }

    public Path userConfig() {
        return prefix.resolve("etc/cvmfs/gateway/user.json");
    }

    private void build() throws IOException {
        Path fixture = Fixtures.gatewayPublication();
        DirectoryTree.copy(fixture.resolve("before"), storage(REPO));
        Files.createDirectories(storage(REPO).resolve("data/txn"));
        Files.createDirectories(storage(OTHER_REPO).resolve("data/txn"));
        Path keys = prefix.resolve("etc/cvmfs/keys");
        DirectoryTree.copy(fixture.resolve("keys"), keys);
        Path gateway = prefix.resolve("etc/cvmfs/gateway");
        Files.createDirectories(gateway);
        Files.writeString(gateway.resolve("repo.json"), """
                {
                  "version": 2,
                  "repos": [
                    "capture.test",
                    { "domain": "gc.test", "keys": [ { "id": "key1", "path": "/" } ] },
                    { "domain": "other.test",
                      "keys": [ { "id": "key1", "path": "/" }, { "id": "key2", "path": "/restricted" } ] }
                  ],
                  "keys": [
                    { "type": "plain_text", "id": "key2", "secret": "second_secret" },
                    { "type": "plain_text", "id": "admin1", "secret": "admin_secret", "admin": true },
                    { "type": "plain_text", "id": "stranger", "secret": "stranger_secret" }
                  ]
                }
                """);
        new Stratum0Creator(Clock.systemUTC()).create(new RepositoryLayout(HostPaths.under(prefix), GC_REPO),
                new MkfsOptions(RepositoryOwner.current(), HashAlgorithm.SHA1, true));
        Files.writeString(userConfig(), """
                { "max_lease_time": 7200, "log_level": "debug", "work_dir": "%s" }
                """.formatted(workDir()));
    }
}
