package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The packaged gateway ({@code gateway-service/target/quarkus-app/quarkus-run.jar}) running as a
 * separate process under a host prefix ({@code CVMFS_SUITE_PREFIX}) on a loopback port, as the
 * launcher runs it; waited for until {@code GET /api/v1/repos} answers. The process is the JVM
 * itself (no shell in between), so {@link #kill9} kills the gateway, not a wrapper.
 *
 * <p>The caller writes the host's configuration ({@code repo.json}, {@code user.json} with the
 * port from {@link FreePorts#next}) before starting it.
 */
public final class PackagedGateway implements AutoCloseable {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

    private final Path log;
    private final int port;
    private final Process process;

    private PackagedGateway(Path log, int port, Process process) {
        this.log = log;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts the gateway with {@code jvmOptions} (e.g. {@code -Dname=value}; a later {@code -Xmx}
     * overrides the default) and waits until it answers on {@code port}; its output goes to
     * {@code log} (appended).
     */
    public static PackagedGateway start(Path prefix, int port, Path log, List<String> jvmOptions) {
        List<String> command = new ArrayList<>(List.of(JavaProcess.javaBinary(), "-Xmx384m", "-Dquarkus.http.host=127.0.0.1"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar().toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put("CVMFS_SUITE_PREFIX", prefix.toString());
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        try {
            PackagedGateway gateway = new PackagedGateway(log, port, pb.start());
            Runtime.getRuntime().addShutdownHook(new Thread(gateway.process::destroyForcibly));
            gateway.awaitReady();
            return gateway;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the gateway " + command, e);
        }
    }

    /** The packaged gateway of this checkout, next to the module the tests run in. */
    public static Path jar() {
        Path moduleDir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        Path jar = moduleDir.getFileName().toString().equals("gateway-service")
                ? moduleDir.resolve("target/quarkus-app/quarkus-run.jar")
                : moduleDir.resolveSibling("gateway-service").resolve("target/quarkus-app/quarkus-run.jar");
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("the gateway jar " + jar + " is missing: package it first with "
                    + "'mvn -B -o -q package -DskipTests -pl gateway-service -am'");
        }
        return jar;
    }

    private void awaitReady() {
        boolean answered;
        try {
            answered = HttpReady.await(URI.create(base() + "/api/v1/repos"), process, START_TIMEOUT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the gateway", e);
        }
        if (!process.isAlive()) {
            throw new IllegalStateException("the gateway exited with " + process.exitValue() + ":\n" + log());
        }
        if (!answered) {
            process.destroyForcibly();
            throw new IllegalStateException("the gateway did not answer within " + START_TIMEOUT + ":\n" + log());
        }
    }

    public String base() {
        return "http://127.0.0.1:" + port;
    }

    public URI uri() {
        return URI.create(base());
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** {@code kill -9} of the gateway's JVM, then waits until it is gone. */
    public void kill9() {
        try {
            Process kill = new ProcessBuilder("kill", "-9", Long.toString(process.pid())).inheritIO().start();
            if (kill.waitFor() != 0) {
                throw new IllegalStateException("kill -9 " + process.pid() + " failed");
            }
            process.waitFor();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while killing the gateway", e);
        }
    }

    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** Stops the gateway (SIGTERM, then SIGKILL if it lingers). */
    @Override
    public void close() {
        if (!process.isAlive()) {
            return;
        }
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
