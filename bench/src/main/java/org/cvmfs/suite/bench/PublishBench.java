package org.cvmfs.suite.bench;

import org.cvmfs.suite.protocol.files.DirectoryTree;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Publication through the gateway, as a user runs it: a generated tree (default 10,000 small
 * files of 1-16 KiB and one file of 1 GiB) written into a transaction of a publisher host, then
 * {@code cvmfs_server publish} through the packaged gateway on loopback. Prints files/s and MB/s
 * of the publish command, next to a bare Deflater + SHA-1 loop over the same bytes in this
 * process; then the time of a second {@code transaction} + {@code publish} of the same tree with
 * one file changed. Every command is the real launcher ({@code deploy/bin/cvmfs_server}) in a
 * JVM of its own, start-up included, as users see it.
 *
 * <p>Usage: {@code bench/run.sh publish [--files N] [--big-size SIZE[K|M|G]] [--dir PATH] [--keep]}
 * (the suite is the checkout named by {@code -Dcvmfs.suite.home}, else the working directory).
 */
public final class PublishBench {
    private static final String REPO = "bench.cvmfs.local";
    private static final Pattern OPEN_IN = Pattern.compile(" open in (.+) \\(revision ");
    private static final int SMALL_MIN = 1024;
    private static final int SMALL_MAX = 16 * 1024;

    private final Path suite;
    private final Path dir;

    private PublishBench(Path suite, Path dir) {
        this.suite = suite;
        this.dir = dir;
    }

    public static void main(String[] args) throws Exception {
        int files = 10_000;
        long bigSize = 1L << 30;
        Path base = null;
        boolean keep = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--files" -> files = Math.max(1, Integer.parseInt(value(args, ++i)));
                case "--big-size" -> bigSize = size(value(args, ++i));
                case "--dir" -> base = Path.of(value(args, ++i));
                case "--keep" -> keep = true;
                default -> throw new IllegalArgumentException("unknown option '" + args[i]
                        + "' (known: --files N, --big-size SIZE[K|M|G], --dir PATH, --keep)");
            }
        }
        Path suite = Path.of(System.getProperty("cvmfs.suite.home", "")).toAbsolutePath();
        for (String module : List.of("gateway-service", "cvmfs-server")) {
            if (!Files.isRegularFile(jar(suite, module))) {
                throw new IllegalStateException(jar(suite, module) + " is missing: package the suite first "
                        + "(bench/run.sh publish does)");
            }
        }
        Path dir = base == null ? Files.createTempDirectory("publish-bench") : Files.createDirectories(base);
        try {
            new PublishBench(suite, dir).run(files, bigSize);
        } finally {
            if (!keep) {
                DirectoryTree.delete(dir);
            }
        }
    }

    private void run(int files, long bigSize) throws Exception {
        Path gatewayHost = dir.resolve("gateway");
        Path publisherHost = dir.resolve("publisher");
        int port = ServiceProcess.freePort();
        server(gatewayHost, "mkfs", "-o", "root", REPO);
        Files.writeString(gatewayHost.resolve("etc/cvmfs/keys/" + REPO + ".gw"), "plain_text key1 bench_secret\n");
        Path gatewayConfig = Files.createDirectories(gatewayHost.resolve("etc/cvmfs/gateway"));
        Files.writeString(gatewayConfig.resolve("repo.json"), "{\"version\": 2, \"repos\": [\"" + REPO + "\"]}\n");
        Files.writeString(gatewayConfig.resolve("user.json"), "{\"port\": " + port + ", \"log_level\": \"info\"}\n");
        Process gateway = startGateway(gatewayHost, port);
        try {
            String api = "http://127.0.0.1:" + port + "/api/v1";
            server(publisherHost, "mkfs", "-o", "root", "-k", gatewayHost.resolve("etc/cvmfs/keys").toString(),
                    "-u", "gw," + publisherHost.resolve("var/spool/cvmfs/" + REPO + "/tmp") + "/," + api,
                    "-w", "http://127.0.0.1:" + port + "/cvmfs/" + REPO, REPO);
            measure(publisherHost, files, bigSize);
            server(gatewayHost, "check", "-c", REPO);
        } finally {
            gateway.destroy();
            if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
    }

    private void measure(Path publisher, int files, long bigSize) throws Exception {
        System.out.printf(Locale.ROOT, "cpus: %d, java %s; gateway and publisher on loopback%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        Path tree = editableTree(server(publisher, "transaction", REPO + "/tree"));
        long t = System.nanoTime();
        Corpus corpus = Corpus.generate(tree, files, SMALL_MIN, SMALL_MAX, 1, bigSize, 2024);
        System.out.printf(Locale.ROOT, "tree: %d files of 1-16 KiB + 1 file of %d MiB = %.1f MB (generated in %.1f s)%n",
                files, bigSize >> 20, corpus.totalBytes() / 1e6, seconds(System.nanoTime() - t));

        double bare = ObjectStoreBench.bareLoop(corpus.files());
        t = System.nanoTime();
        server(publisher, "publish", REPO);
        double publish = seconds(System.nanoTime() - t);
        double mb = corpus.totalBytes() / 1e6;
        System.out.printf(Locale.ROOT, "publish             : %8.1f s  %8.0f files/s  %7.1f MB/s%n", publish,
                corpus.files().size() / publish, mb / publish);
        System.out.printf(Locale.ROOT, "bare Deflater(6)+SHA-1, 1 thread, same bytes: %7.1f MB/s (%.1f s); "
                + "publish is %.2f of it%n", mb / bare, bare, bare / publish);

        t = System.nanoTime();
        Path reopened = editableTree(server(publisher, "transaction", REPO + "/tree"));
        double transaction = seconds(System.nanoTime() - t);
        Path changed = reopened.resolve(tree.relativize(corpus.files().get(files / 2)));
        Files.writeString(changed, "one more line\n", StandardCharsets.US_ASCII, StandardOpenOption.APPEND);
        t = System.nanoTime();
        server(publisher, "publish", REPO);
        double republish = seconds(System.nanoTime() - t);
        System.out.printf(Locale.ROOT, "second transaction + publish, one file changed: %.1f s "
                + "(transaction %.1f s, publish %.1f s)%n", transaction + republish, transaction, republish);
    }

    /** Where the transaction says the leased subtree can be edited. */
    private static Path editableTree(String transactionOutput) {
        Matcher m = OPEN_IN.matcher(transactionOutput);
        if (!m.find()) {
            throw new IllegalStateException("transaction did not say where to write: " + transactionOutput);
        }
        return Path.of(m.group(1));
    }

    /** Runs {@code deploy/bin/cvmfs_server --prefix HOST ARGS}; returns its output, fails with it. */
    private String server(Path host, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(suite.resolve("deploy/bin/cvmfs_server").toString(),
                "--prefix", host.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "command.", ".log");
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        int exit = p.waitFor();
        String output = Files.readString(log);
        Files.delete(log);
        if (exit != 0) {
            throw new IllegalStateException("cvmfs_server " + String.join(" ", args) + " exited with " + exit + ":\n"
                    + output);
        }
        return output;
    }

    private Process startGateway(Path host, int port) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dquarkus.http.host=127.0.0.1", "-jar", jar(suite, "gateway-service").toString());
        pb.environment().put("CVMFS_SUITE_PREFIX", host.toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("gateway.log").toFile());
        Process gateway = pb.start();
        try {
            ServiceProcess.awaitReady(URI.create("http://127.0.0.1:" + port + "/api/v1/repos"), gateway, "the gateway");
        } catch (IllegalStateException e) {
            gateway.destroyForcibly();
            throw new IllegalStateException(e.getMessage() + "; its log: " + dir.resolve("gateway.log"), e);
        }
        return gateway;
    }

    private static Path jar(Path suite, String module) {
        return suite.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }


    private static long size(String text) {
        String t = text.strip().toUpperCase(Locale.ROOT);
        long unit = switch (t.isEmpty() ? ' ' : t.charAt(t.length() - 1)) {
            case 'K' -> 1L << 10;
            case 'M' -> 1L << 20;
            case 'G' -> 1L << 30;
            default -> 1;
        };
        String digits = unit == 1 ? t : t.substring(0, t.length() - 1);
        try {
            return Long.parseLong(digits) * unit;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--big-size: '" + text + "' is not a size such as 1G, 256M or 4096");
        }
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) {
            throw new IllegalArgumentException("option " + args[i - 1] + " needs a value");
        }
        return args[i];
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }
}
