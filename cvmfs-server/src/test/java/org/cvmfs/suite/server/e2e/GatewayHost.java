package org.cvmfs.suite.server.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.testing.Fixtures;

/**
 * A gateway host under a temporary prefix, set up as the tutorial does it, running the packaged
 * gateway ({@code gateway-service/target/quarkus-app/quarkus-run.jar}) as a process on a free
 * loopback port. The repository is {@code capture.test} with the keys of the recorded upstream
 * publication, so that what our publisher sends can be set beside what upstream's sent.
 */
final class GatewayHost implements AutoCloseable {
    static final String REPO = "capture.test";
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path prefix;
    private final int port;
    private final Process process;

    private GatewayHost(Path prefix, int port, Process process) {
        this.prefix = prefix;
        this.port = port;
        this.process = process;
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
            int port = freePort();
            Path config = Files.createDirectories(prefix.resolve("etc/cvmfs/gateway"));
            Files.writeString(config.resolve("repo.json"), "{\"version\": 2, \"repos\": [\"" + REPO + "\"]}\n");
            Files.writeString(config.resolve("user.json"), "{\"port\": " + port + ", \"max_lease_time\": 600, "
                    + "\"log_level\": \"debug\"}\n");
            ProcessBuilder pb = new ProcessBuilder(javaBinary(), "-Xmx512m", "-Dquarkus.http.host=127.0.0.1",
                    "-jar", gatewayJar().toString());
            pb.environment().put(HostPaths.PREFIX_ENV, prefix.toString());
            pb.redirectErrorStream(true).redirectOutput(prefix.resolve("gateway.log").toFile());
            GatewayHost host = new GatewayHost(prefix, port, pb.start());
            Runtime.getRuntime().addShutdownHook(new Thread(host.process::destroyForcibly));
            host.awaitReady();
            return host;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the gateway host in " + prefix, e);
        }
    }

    /** The packaged gateway of this checkout; the reactor packages it before these tests run. */
    static Path gatewayJar() {
        Path moduleDir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path jar = moduleDir.resolveSibling("gateway-service").resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the gateway jar " + jar + " is missing: package it first with "
                    + "'mvn -B -o -q package -DskipTests -pl gateway-service -am' (mvn verify does it by itself)");
        }
        return jar;
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void awaitReady() {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest repos = HttpRequest.newBuilder(URI.create(base() + "/api/v1/repos"))
                .timeout(Duration.ofSeconds(5)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("the gateway exited with " + process.exitValue() + ":\n" + log());
            }
            try {
                if (http.send(repos, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the gateway", e);
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the gateway", e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the gateway did not answer within " + START_TIMEOUT + ":\n" + log());
    }

    private String base() {
        return "http://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    URI apiUrl() {
        return URI.create(base() + "/api/v1");
    }

    /** Where the gateway serves the repository, the Stratum-0 URL of the publishers. */
    URI stratum0Url() {
        return URI.create(base() + "/cvmfs/" + REPO);
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
        try {
            return Files.readString(prefix.resolve("gateway.log"), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
