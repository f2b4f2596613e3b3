package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.files.DirectoryTree;

/**
 * A private PostgreSQL cluster for fault-injection tests: {@code initdb} + {@code pg_ctl} of the
 * newest {@code /usr/lib/postgresql/*}{@code /bin}, run as user {@code postgres} through
 * {@code runuser} (tests run as root, which PostgreSQL refuses), data and socket in a temp dir,
 * 127.0.0.1 and a free port, trust authentication for user {@code postgres}. The data directory
 * survives {@link #stop()}/{@link #kill()} + {@link #start()} until {@link #close()}.
 */
public final class PrivatePostgres implements AutoCloseable {
    private final Path dir;
    private final Path bin;
    private final int port;

    private PrivatePostgres() {
        this.bin = newestBin();
        this.port = FreePorts.next();
        this.dir = DirectoryTree.createScratch(Path.of("/tmp"), "private-postgres-");
        try {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
            run(List.of("chown", "postgres:postgres", dir.toString()), false);
            runAsPostgres(List.of(bin.resolve("initdb").toString(), "-D", data().toString(), "-A", "trust",
                    "-U", "postgres", "-E", "UTF8", "--no-sync", "--no-instructions"));
        } catch (RuntimeException e) {
            DirectoryTree.delete(dir);
            throw e;
        } catch (IOException e) {
            DirectoryTree.delete(dir);
            throw new UncheckedIOException(e);
        }
    }

    public static PrivatePostgres startNew() {
        PrivatePostgres pg = new PrivatePostgres();
        try {
            pg.start();
        } catch (RuntimeException e) {
            pg.close();
            throw e;
        }
        return pg;
    }

    public int port() {
        return port;
    }

    public String host() {
        return "127.0.0.1";
    }

    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + database;
    }

    /** Starts the cluster; returns when it accepts connections. */
    public void start() {
        runAsPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-l",
                dir.resolve("server.log").toString(), "-w", "-t", "60", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
    }

    /** Fast shutdown: open sessions are disconnected. */
    public void stop() {
        runAsPostgres(List.of(bin.resolve("pg_ctl").toString(), "-D", data().toString(), "-w", "-m", "fast", "stop"));
    }

    /** {@code kill -9} of the postmaster and its children: a crash (recovery at the next start). */
    public void kill() {
        try {
            Path pidFile = data().resolve("postmaster.pid");
            if (!Files.exists(pidFile)) {
                return;
            }
            long pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
            ProcessHandle.of(pid).ifPresent(p -> {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                p.onExit().orTimeout(30, TimeUnit.SECONDS).join();
            });
            FreePorts.awaitClosed(port, Duration.ofSeconds(30));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code sql} with psql as user postgres in {@code database}. */
    public void psql(String database, String sql) {
        run(List.of("psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "-d", database,
                "-v", "ON_ERROR_STOP=1", "-q", "-c", sql), false);
    }

    /** Applies an SQL file with {@code psql -f}, as the tutorial applies the Conveyor schema. */
    public void psqlFile(String database, Path file) {
        run(List.of("psql", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres", "-d", database,
                "-v", "ON_ERROR_STOP=1", "-q", "-f", file.toString()), false);
    }

    public void createDatabase(String name) {
        psql("postgres", "CREATE DATABASE \"" + name + "\"");
    }

    @Override
    public void close() {
        try {
            if (Files.exists(data().resolve("postmaster.pid"))) {
                stop();
            }
        } catch (RuntimeException e) {
            kill();
        } finally {
            DirectoryTree.delete(dir);
        }
    }

    private Path data() {
        return dir.resolve("data");
    }

    private void runAsPostgres(List<String> command) {
        List<String> full = new ArrayList<>(List.of("runuser", "-u", "postgres", "--"));
        full.addAll(command);
        run(full, true);
    }

    private void run(List<String> command, boolean inDir) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (inDir) {
                pb.directory(dir.toFile());
            }
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes());
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", command) + " failed:\n" + out);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static Path newestBin() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString().replaceAll("\\D", "0"))))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL under /usr/lib/postgresql"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
