package org.cvmfs.suite.conveyor.worker.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.testing.FreePorts;
import org.cvmfs.suite.protocol.testing.PackagedGateway;
import org.cvmfs.suite.server.cli.ServerCommand;
import picocli.CommandLine;

/**
 * The tutorial's gateway host and two publisher hosts on this machine, each a directory prefix:
 * the gateway host made with {@code cvmfs_server mkfs -o root capture.test} (the recorded
 * publication's keys) and running the packaged gateway; each publisher host made with
 * {@code cvmfs_server mkfs -u gw,SPOOL/tmp/,API -w STRATUM0 -k KEYS}, as the tutorial does. A
 * worker runs "on" a publisher host with {@code CVMFS_SUITE_PREFIX} set to its prefix.
 * {@code cvmfs_server} is run in this JVM as its launcher runs it.
 */
final class TutorialHosts implements AutoCloseable {
    static final String REPO = "capture.test";

    final Path gatewayPrefix;
    final List<Path> publishers = new ArrayList<>();
    private final PackagedGateway gateway;
    private final Path root;

    /** {@code maxLeaseTime} seconds: how long a killed worker's lease blocks its path. */
    TutorialHosts(Path root, int maxLeaseTime) throws IOException {
        this.root = root;
        this.gatewayPrefix = root.resolve("gateway");
        Path keys = Files.createDirectories(gatewayPrefix.resolve("etc/cvmfs/keys"));
        for (String suffix : List.of("crt", "key", "pub", "masterkey", "gw")) {
            Files.copy(Fixtures.gatewayPublication().resolve("keys/" + REPO + "." + suffix),
                    keys.resolve(REPO + "." + suffix), StandardCopyOption.REPLACE_EXISTING);
        }
        ok(gatewayPrefix, "mkfs", "-o", "root", REPO);
        int port = FreePorts.next();
        Path config = Files.createDirectories(gatewayPrefix.resolve("etc/cvmfs/gateway"));
        Files.writeString(config.resolve("repo.json"), "{\"version\": 2, \"repos\": [\"" + REPO + "\"]}\n");
        Files.writeString(config.resolve("user.json"), "{\"port\": " + port + ", \"max_lease_time\": " + maxLeaseTime + "}\n");
        gateway = PackagedGateway.start(gatewayPrefix, port, root.resolve("gateway.log"), List.of());
        for (int i = 1; i <= 2; i++) {
            Path prefix = root.resolve("publisher-" + i);
            Path publisherKeys = Files.createDirectories(prefix.resolve("keys"));
            for (String suffix : List.of("crt", "pub", "gw")) {
                Files.copy(keys.resolve(REPO + "." + suffix), publisherKeys.resolve(REPO + "." + suffix));
            }
            Path spoolTmp = prefix.resolve("var/spool/cvmfs/" + REPO + "/tmp");
            ok(prefix, "mkfs", "-o", "root", "-k", publisherKeys.toString(),
                    "-u", "gw," + spoolTmp + "/," + gateway.base() + "/api/v1", "-w", stratum0(), REPO);
            publishers.add(prefix);
        }
    }

    String stratum0() {
        return gateway.base() + "/cvmfs/" + REPO;
    }

    String gatewayLog() {
        return gateway.log();
    }

    /** {@code cvmfs_server --prefix PREFIX ARGS}: exit code and stdout+stderr. */
    static CommandLineResult cvmfsServer(Path prefix, String... args) {
        List<String> all = new ArrayList<>(List.of("--prefix", prefix.toString()));
        all.addAll(List.of(args));
        StringWriter out = new StringWriter();
        CommandLine cli = ServerCommand.withSubcommands(new CommandLine(new ServerCommand(Clock.systemUTC(), System.out)));
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(out, true));
        int code = cli.execute(all.toArray(String[]::new));
        return new CommandLineResult(code, out.toString());
    }

    record CommandLineResult(int exitCode, String output) {
    }

    private static void ok(Path prefix, String... args) {
        CommandLineResult r = cvmfsServer(prefix, args);
        if (r.exitCode() != 0) {
            throw new IllegalStateException("cvmfs_server " + String.join(" ", args) + ": " + r);
        }
    }

    /** {@code cvmfs_server check} on the gateway host; its output, which must start "no problems found". */
    CommandLineResult check() {
        return cvmfsServer(gatewayPrefix, "check", REPO);
    }

    /** The published head, as a client reads it from the gateway's Stratum-0. */
    Manifest head() {
        HttpRepositorySource source = new HttpRepositorySource(java.net.URI.create(stratum0()));
        return SignedManifest.parse(source.fetchRootFile(".cvmfspublished")).manifest();
    }

    /** The revision tagged {@code tag} in the head's history. */
    Optional<Long> tagged(String tag) {
        HttpRepositorySource source = new HttpRepositorySource(java.net.URI.create(stratum0()));
        Manifest head = head();
        if (head.historyHash().isEmpty()) {
            return Optional.empty();
        }
        Path scratch = DirectoryTree.createScratch(root, "history");
        try (TagDatabase history = TagDatabase.fetch(source, head.historyHash().get(), scratch)) {
            return history.find(tag).map(t -> t.target().revision());
        } finally {
            DirectoryTree.delete(scratch);
        }
    }

    /**
     * The paths of the gateway's unexpired leases ({@code GET /api/v1/leases}): empty when no
     * publisher holds one.
     */
    java.util.Set<String> leases() {
        try {
            var reply = java.net.http.HttpClient.newHttpClient().send(
                    java.net.http.HttpRequest.newBuilder(java.net.URI.create(gateway.base() + "/api/v1/leases")).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString());
            var data = new com.fasterxml.jackson.databind.ObjectMapper().readTree(reply.body()).path("data");
            java.util.Set<String> paths = new java.util.TreeSet<>();
            data.fieldNames().forEachRemaining(paths::add);
            return paths;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A file's content in the published head, or empty when it is not there. */
    Optional<String> cat(String path) {
        HttpRepositorySource source = new HttpRepositorySource(java.net.URI.create(stratum0()));
        Path scratch = DirectoryTree.createScratch(root, "browse");
        try {
            RepositoryBrowser browser = RepositoryBrowser.open(source, head(), Optional.empty(), scratch);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            browser.cat(RepositoryBrowser.parsePath(path), out);
            return Optional.of(out.toString(StandardCharsets.UTF_8));
        } catch (RuntimeException missing) {
            return Optional.empty();
        } finally {
            DirectoryTree.delete(scratch);
        }
    }

    @Override
    public void close() throws IOException {
        gateway.close();
        // bind mounts a worker (running as root) may have left under a publisher prefix
        List<String> mounted = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && fields[4].startsWith(root + "/")) {
                mounted.add(fields[4]);
            }
        }
        mounted.sort(Comparator.reverseOrder());
        for (String target : mounted) {
            try {
                new ProcessBuilder("umount", "-l", target).inheritIO().start().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UncheckedIOException(new IOException("interrupted while unmounting", e));
            }
        }
    }
}
