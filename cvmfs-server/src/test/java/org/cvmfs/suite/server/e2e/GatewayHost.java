package org.cvmfs.suite.server.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.testing.FreePorts;
import org.cvmfs.suite.protocol.testing.PackagedGateway;

/**
 * A gateway host under a temporary prefix, set up as the tutorial does it, running the packaged
 * gateway ({@link PackagedGateway}) as a process on a free loopback port. The repository is
 * {@code capture.test} with the keys of the recorded upstream publication, so that what our
 * publisher sends can be set beside what upstream's sent. The gateway requires signed lease
 * requests ({@code require_signed_lease_requests}), so every publication of the end-to-end tests
 * shows that our publisher sends them.
 */
final class GatewayHost implements AutoCloseable {
    static final String REPO = "capture.test";

    private final Path prefix;
    private final PackagedGateway gateway;

    private GatewayHost(Path prefix, PackagedGateway gateway) {
        this.prefix = prefix;
        this.gateway = gateway;
    }

    /**
     * {@code cvmfs_server mkfs -o root capture.test} (keys prepared from the fixture), the gateway
     * key, {@code repo.json} in the tutorial's form and {@code user.json} with the port; then the
     * gateway, waited for until {@code GET /api/v1/repos} answers.
     */
    static GatewayHost start(Path prefix) {
        try {
            Path keys = prefix.resolve("etc/cvmfs/keys");
            Files.createDirectories(keys);
            for (String suffix : List.of("crt", "key", "pub", "masterkey", "gw")) {
                Files.copy(Fixtures.gatewayPublication().resolve("keys/" + REPO + "." + suffix),
                        keys.resolve(REPO + "." + suffix), StandardCopyOption.REPLACE_EXISTING);
            }
            new ServerCli(prefix).ok("mkfs", "-o", "root", REPO);
            int port = FreePorts.next();
            Path config = Files.createDirectories(prefix.resolve("etc/cvmfs/gateway"));
            Files.writeString(config.resolve("repo.json"), "{\"version\": 2, \"repos\": [\"" + REPO + "\"]}\n");
            Files.writeString(config.resolve("user.json"), "{\"port\": " + port + ", \"max_lease_time\": 600, "
                    + "\"log_level\": \"debug\", \"require_signed_lease_requests\": true}\n");
            return new GatewayHost(prefix, PackagedGateway.start(prefix, port, prefix.resolve("gateway.log"),
                    List.of("-Xmx512m")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the gateway host in " + prefix, e);
        }
    }

    int port() {
        return gateway.port();
    }

    URI apiUrl() {
        return URI.create(gateway.base() + "/api/v1");
    }

    /** Where the gateway serves the repository, the Stratum-0 URL of the publishers. */
    URI stratum0Url() {
        return URI.create(gateway.base() + "/cvmfs/" + REPO);
    }

    Path prefix() {
        return prefix;
    }

    RepositoryLayout layout() {
        return new RepositoryLayout(HostPaths.under(prefix), REPO);
    }

    /** The key directory a publisher gets, as in the tutorial: {@code .crt}, {@code .pub}, {@code .gw}. */
    Path keysForPublishers(Path dir) {
        try {
            Files.createDirectories(dir);
            for (String suffix : List.of("crt", "pub", "gw")) {
                Files.copy(layout().keysDir().resolve(REPO + "." + suffix), dir.resolve(REPO + "." + suffix),
                        StandardCopyOption.REPLACE_EXISTING);
            }
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    ServerCli cli() {
        return new ServerCli(prefix);
    }

    Manifest head() {
        try {
            return Manifest.parseBody(Files.readAllBytes(layout().manifest()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String log() {
        return gateway.log();
    }

    @Override
    public void close() {
        gateway.close();
    }
}
