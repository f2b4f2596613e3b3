package org.cvmfs.suite.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.ingest.DeflateLibrary;
import org.cvmfs.suite.protocol.testing.FreePorts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Publication through the gateway, as a user runs it, in the shapes users publish: many small
 * files in one transaction (throughput), then one changed file in that subtree (latency of
 * {@code transaction} + {@code publish}, as a CI job publishing into the same path sees it), then
 * one big file in a subtree of its own (throughput). Every command is
 * the real launcher ({@code deploy/bin/cvmfs_server}) in a JVM of its own, start-up included,
 * run under {@code /usr/bin/time} for its CPU time and peak RSS; the publisher's own phase
 * breakdown ({@code Phases: ...}) is printed beside each publication, and the bare single-core
 * zlib level 6 + SHA-1 rate of the same bytes is measured in this process as the yardstick, with
 * its ceiling on every core ({@link BareLoop}). The big file is published again through the
 * resident JVM, the path every command after a user's first takes. The small files (through the
 * resident JVM) and the big file are published a second time with
 * {@code CVMFS_SUITE_DEFLATE_LIBRARY=libdeflate}, same content in another path, for the speed and
 * the bytes uploaded of the two zlib writers side by side.
 * The gateway's CPU time during each publication and its resident set after it are printed
 * beside the publisher's. With {@code --jfr DIR} each command and the gateway record a JDK
 * Flight Recording there.
 */
@Command(name = "publish-bench", mixinStandardHelpOptions = true,
        description = "Publishes a generated corpus through the packaged gateway and prints throughput, latency "
                + "and the publisher's phase breakdown.")
public final class PublishBench implements Callable<Integer> {
    private static final String REPO = "bench.cvmfs.local";
    private static final Pattern OPEN_IN = Pattern.compile(" open in (.+) \\(revision ");
    private static final Pattern PHASES = Pattern.compile("(?m)^Phases: (.*)$");
    private static final Pattern TIME = Pattern.compile("(?m)^time: ([0-9.]+) ([0-9.]+) ([0-9.]+) (\\d+)$");
    private static final Pattern UPLOADED = Pattern.compile(" (\\d+) bytes uploaded");
    private static final String DEFLATE_KEY = DeflateLibrary.CONFIG_KEY;
    private static final int SMALL_MIN = 1024;
    private static final int SMALL_MAX = 16 * 1024;
    /** The heap of the {@code --heap-files} publication: about what a 2,000-file publication peaks at. */
    private static final String BOUNDED_HEAP = "-Xmx40m";
    private static final int CORES = Runtime.getRuntime().availableProcessors();
    /**
     * Upstream's rates in issue 11 as fractions of that machine's one-core zlib+SHA-1 rate:
     * 4,170 of 6,450 files/s for the small files, 71.7 of 49.5 MB/s for the big file.
     */
    private static final double UPSTREAM_SMALL_OF_BARE = 4170.0 / 6450;
    private static final double UPSTREAM_BIG_OF_BARE = 71.7 / 49.5;

    @Option(names = "--files", paramLabel = "N", description = "small files of 1-16 KiB (default: ${DEFAULT-VALUE})")
    int files = 10_000;

    @Option(names = "--flat-files", paramLabel = "N", description = "files in one directory with a catalog of its "
            + "own, for the transaction on a flat catalog (default: ${DEFAULT-VALUE}; 0 skips it)")
    int flatFiles = 0;

    @Option(names = "--heap-files", paramLabel = "N", description = "files of 64-511 bytes published in a JVM of its "
            + "own with a " + BOUNDED_HEAP + " heap, to show that a publication's memory does not follow its size "
            + "(default: ${DEFAULT-VALUE}; 0 skips it)")
    int heapFiles = 0;

    @Option(names = "--big-size", paramLabel = "SIZE", converter = SizeConverter.class,
            description = "size of the big file, e.g. 1G, 256M, 4096 (default: 1G; 0 skips it)")
    long bigSize = 1L << 30;

    @Option(names = "--dir", paramLabel = "PATH", description = "scratch directory (default: a new temporary one)")
    Path base;

    @Option(names = "--keep", description = "keep the scratch directory")
    boolean keep;

    @Option(names = "--jfr", paramLabel = "DIR", description = "record each cvmfs_server command with JFR into DIR")
    Path jfr;

    private Path suite;
    private Path dir;
    private int commands;
    private Process gateway;
    /** JVM options of the next commands besides the launcher's, or null. */
    private String javaOptions;

    /** What one command cost, as /usr/bin/time saw it. */
    private record Run(String output, double wall, double cpu, long peakRssKiB, double gatewayCpu, long gatewayRssKiB) {
        double cores() {
            return wall > 0 ? cpu / wall : 0;
        }
    }

    static final class SizeConverter implements CommandLine.ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
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
                throw new CommandLine.TypeConversionException("'" + text + "' is not a size such as 1G, 256M or 4096");
            }
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new PublishBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (files < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--files must be at least 1");
        }
        suite = Path.of(System.getProperty("cvmfs.suite.home", "")).toAbsolutePath();
        for (String module : List.of("gateway-service", "cvmfs-server")) {
            if (!Files.isRegularFile(jar(suite, module))) {
                throw new IllegalStateException(jar(suite, module) + " is missing: package the suite first "
                        + "(bench/run.sh publish does)");
            }
        }
        if (jfr != null) {
            Files.createDirectories(jfr);
        }
        dir = base == null ? Files.createTempDirectory("publish-bench") : Files.createDirectories(base);
        try {
            run();
        } finally {
            if (!keep) {
                DirectoryTree.delete(dir);
            }
        }
        return 0;
    }

    private void run() throws Exception {
        Path gatewayHost = dir.resolve("gateway");
        Path publisherHost = dir.resolve("publisher");
        int port = FreePorts.next();
        server(gatewayHost, "mkfs", "-o", "root", REPO);
        Files.writeString(gatewayHost.resolve("etc/cvmfs/keys/" + REPO + ".gw"), "plain_text key1 bench_secret\n");
        Path gatewayConfig = Files.createDirectories(gatewayHost.resolve("etc/cvmfs/gateway"));
        Files.writeString(gatewayConfig.resolve("repo.json"), "{\"version\": 2, \"repos\": [\"" + REPO + "\"]}\n");
        Files.writeString(gatewayConfig.resolve("user.json"), "{\"port\": " + port + ", \"log_level\": \"info\"}\n");
        gateway = startGateway(gatewayHost, port);
        try {
            String api = "http://127.0.0.1:" + port + "/api/v1";
            server(publisherHost, "mkfs", "-o", "root", "-k", gatewayHost.resolve("etc/cvmfs/keys").toString(),
                    "-u", "gw," + publisherHost.resolve("var/spool/cvmfs/" + REPO + "/tmp") + "/," + api,
                    "-w", "http://127.0.0.1:" + port + "/cvmfs/" + REPO, REPO);
            measure(publisherHost);
            server(gatewayHost, "check", "-c", REPO);
        } finally {
            ProcessHandle.of(residentPid()).ifPresent(ProcessHandle::destroy);
            gateway.destroy();
            if (!gateway.waitFor(30, TimeUnit.SECONDS)) {
                gateway.destroyForcibly();
            }
        }
        System.out.printf(Locale.ROOT, "load average at the end: %s%n", loadAverage());
    }

    private void measure(Path publisher) throws Exception {
        System.out.printf(Locale.ROOT, "cpus: %d, java %s; gateway and publisher on loopback; load average %s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), loadAverage());
        System.out.printf(Locale.ROOT, "file creates here: %.0f us each (1,000 empty files; ext4 without a journal"
                + " scans recently deleted inodes: up to 0.9 ms a create after a large deletion)%n",
                createCostMicros(dir.resolve("create-probe")));

        Path smallTree = editableTree(server(publisher, "transaction", REPO + "/small").output());
        Corpus small = Corpus.generate(smallTree, files, SMALL_MIN, SMALL_MAX, 0, 0, 2024);
        double smallMb = small.totalBytes() / 1e6;
        BareLoop.oneCore(small.files().subList(0, Math.min(2000, files)));  // the JIT warmed first, as for the rest
        double bareSmall = BareLoop.oneCore(small.files());
        double smallCeiling = files / BareLoop.cores(small.files(), CORES);
        Run p = server(publisher, "publish", REPO);
        System.out.printf(Locale.ROOT, "%d small files (%.1f MB), one transaction: publish %6.2f s  %7.0f files/s"
                        + "  (bare zlib+SHA-1, 1 core: %.0f files/s; %.2f of it)%n", files, smallMb, p.wall(),
                files / p.wall(), files / bareSmall, bareSmall / p.wall());
        Results.print("publish: " + files + " small files / bare zlib+SHA-1 1 core", files / p.wall(), files / bareSmall, "files/s");
        report(p);
        ceiling("small files", files / bareSmall, smallCeiling, UPSTREAM_SMALL_OF_BARE * 2, files / p.wall(), "files/s");

        reopenAndChangeOne(publisher, "/small", smallTree.relativize(small.files().get(files / 2)).toString(),
                "a path of " + files + " files", "");
        backFromAnotherPath(publisher, "/small", "a path of " + files + " files");
        if (jfr == null) {
            residentRounds(publisher, "/small", smallTree.relativize(small.files().get(files / 3)).toString(),
                    "a path of " + files + " files");
            residentSmallFiles(publisher, p, smallCeiling);
        }

        if (flatFiles > 0) {
            measureFlat(publisher);
        }
        if (heapFiles > 0) {
            measureBoundedHeap(publisher, p);
        }

        if (bigSize > 0) {
            Path bigTree = editableTree(server(publisher, "transaction", REPO + "/big").output());
            Corpus big = Corpus.generate(bigTree, 0, SMALL_MIN, SMALL_MAX, 1, bigSize, 2025);
            double bigMb = big.totalBytes() / 1e6;
            double bareBig = BareLoop.oneCore(big.files());
            double bigCeiling = bigMb / BareLoop.cores(big.files(), CORES);
            Run b = server(publisher, "publish", REPO);
            System.out.printf(Locale.ROOT, "one file of %d MiB: publish %6.2f s  %6.1f MB/s  (bare zlib+SHA-1, 1 core: "
                    + "%.1f MB/s; %.2f of it)%n", bigSize >> 20, b.wall(), bigMb / b.wall(), bigMb / bareBig, bareBig / b.wall());
            Results.print("publish: one " + (bigSize >> 20) + " MiB file / bare zlib+SHA-1 1 core", bigMb / b.wall(), bigMb / bareBig, "MB/s");
            report(b);
            ceiling("the big file", bigMb / bareBig, bigCeiling, UPSTREAM_BIG_OF_BARE * 1.2, bigMb / b.wall(), "MB/s");
            if (residentPid() != 0) {
                // the default path: every command after the first goes through the resident JVM; new
                // bytes of the same kind, so that no object is one the gateway has already
                Path again = editableTree(server(true, publisher, "transaction", REPO + "/big-resident").output());
                Corpus.generate(again, 0, SMALL_MIN, SMALL_MAX, 1, bigSize, 2026);
                Run r = server(true, publisher, "publish", REPO);
                System.out.printf(Locale.ROOT, "a file of the same size again, through the resident JVM: publish %6.2f s  %6.1f MB/s"
                        + "  (%.2f of the bare zlib+SHA-1 loop, %.2f of the ceiling); bytes uploaded: %s%n", r.wall(),
                        bigMb / r.wall(), bareBig / r.wall(), bigMb / r.wall() / bigCeiling, uploadedAgainst(r, b, "the first's"));
                Results.print("publish: one " + (bigSize >> 20) + " MiB file, resident JVM / own JVM", bigMb / r.wall(),
                        bigMb / b.wall(), "MB/s");
                report(r);
                ProcessHandle.of(residentPid()).ifPresent(ProcessHandle::destroy);
            }

            Run l = withLibdeflate(publisher, () -> {
                Path again = editableTree(server(publisher, "transaction", REPO + "/big-libdeflate").output());
                Corpus.generate(again, 0, SMALL_MIN, SMALL_MAX, 1, bigSize, 2025);
                return server(publisher, "publish", REPO);
            });
            System.out.printf(Locale.ROOT, "the same file again, %s=libdeflate: publish %6.2f s  %6.1f MB/s  (%.2f of the"
                    + " bare zlib+SHA-1 loop); bytes uploaded: %s%n", DEFLATE_KEY, l.wall(), bigMb / l.wall(),
                    bareBig / l.wall(), uploadedAgainst(l, b, "zlib's"));
            Results.print("publish: one " + (bigSize >> 20) + " MiB file, libdeflate / bare zlib+SHA-1 1 core", bigMb / l.wall(), bigMb / bareBig, "MB/s");
            report(l);
        }
    }

    /**
     * Prints the ceiling of a publication with zlib's bytes here (zlib+SHA-1 on every core, no
     * other work), where issue 11's goal for it lies ({@code goalOfBare} times the one-core rate),
     * and where the publication that reached {@code rate} lies.
     */
    private static void ceiling(String what, double oneCore, double ceiling, double goalOfBare, double rate, String unit) {
        double goal = oneCore * goalOfBare;
        System.out.printf(Locale.ROOT, "    ceiling for %s: zlib+SHA-1 on all %d cores, nothing else: %.1f %s (%.2f of one"
                + " core); issue 11's goal, %.2f of one core: %.1f %s, %.2f of the ceiling; this publication: %.2f of it%n",
                what, CORES, ceiling, unit, ceiling / oneCore, goalOfBare, goal, unit, goal / ceiling, rate / ceiling);
        Results.print("publish: " + what + ", issue 11's goal / ceiling (zlib+SHA-1 on every core)", goal, ceiling, unit);
    }

    /**
     * Runs {@code publication} with {@code CVMFS_SUITE_DEFLATE_LIBRARY=libdeflate} in the
     * publisher's server.conf (read by every publish), which is then written back as it was.
     */
    private static Run withLibdeflate(Path publisher, Callable<Run> publication) throws Exception {
        String zlibConf = Files.readString(serverConf(publisher));
        Files.writeString(serverConf(publisher), zlibConf + DEFLATE_KEY + "=libdeflate\n");
        try {
            return publication.call();
        } finally {
            Files.writeString(serverConf(publisher), zlibConf);
        }
    }

    private static Path serverConf(Path publisher) {
        return publisher.resolve("etc/cvmfs/repositories.d/" + REPO + "/server.conf");
    }

    /** "N bytes (R of zlib's M)" from two publications' {@code ... bytes uploaded} lines. */
    /** "N (R of WHOSE M)": the bytes {@code run} uploaded against those {@code other} did. */
    private static String uploadedAgainst(Run run, Run other, String whose) {
        long ours = uploaded(run);
        long theirs = uploaded(other);
        return String.format(Locale.ROOT, "%d (%.3f of %s %d)", ours, theirs > 0 ? (double) ours / theirs : 0, whose,
                theirs);
    }

    private static long uploaded(Run r) {
        Matcher m = UPLOADED.matcher(r.output());
        return m.find() ? Long.parseLong(m.group(1)) : 0;
    }

    /** {@code --flat-files} files in one directory, a catalog of their own: transaction again, then one changed file. */
    private void measureFlat(Path publisher) throws Exception {
        Path flatTree = editableTree(server(publisher, "transaction", REPO + "/flat").output());
        Files.writeString(flatTree.resolve(".cvmfscatalog"), "");
        for (int i = 0; i < flatFiles; i++) {
            Corpus.writeFile(flatTree.resolve(String.format("f%06d", i)), 64 + i % 448, 2026L * 31 + i);
        }
        Run filled = server(publisher, "publish", REPO);
        System.out.printf(Locale.ROOT, "flat catalog of %d files: first publish %.2f s%n", flatFiles, filled.wall());
        report(filled);

        reopenAndChangeOne(publisher, "/flat", String.format("f%06d", flatFiles / 2),
                "a flat catalog of " + flatFiles + " files", " in a flat catalog of " + flatFiles + " files");
    }

    /**
     * {@code --heap-files} new files in 100 directories under a catalog of their own, published in
     * a JVM of its own whose heap is {@link #BOUNDED_HEAP}: it fails with an OutOfMemoryError if
     * the publisher keeps something per file (it kept about 1.2 KB each before its change set
     * spilled to the spool). Its peak RSS against that of the first small-files publication.
     */
    private void measureBoundedHeap(Path publisher, Run small) throws Exception {
        Path tree = editableTree(server(publisher, "transaction", REPO + "/heap").output());
        Files.writeString(tree.resolve(".cvmfscatalog"), "");
        for (int i = 0; i < heapFiles; i++) {
            Path d = Files.createDirectories(tree.resolve(String.format("d%02d", i % 100)));
            Corpus.writeFile(d.resolve(String.format("f%07d", i)), 64 + i % 448, 2028L * 31 + i);
        }
        javaOptions = BOUNDED_HEAP;
        Run r;
        try {
            r = server(publisher, "publish", REPO);
        } finally {
            javaOptions = null;
        }
        System.out.printf(Locale.ROOT, "%d files in a JVM with %s: publish %.2f s, %.0f files/s, peak RSS %d MiB%n",
                heapFiles, BOUNDED_HEAP, r.wall(), heapFiles / r.wall(), r.peakRssKiB() >> 10);
        Results.print("publish: " + heapFiles + " files with " + BOUNDED_HEAP + ", publisher peak RSS / " + files
                + " small files'", r.peakRssKiB() >> 10, small.peakRssKiB() >> 10, "MiB");
        report(r);
    }

    /**
     * The latency rows: a transaction opened again on {@code leasePath} (objects cached), one line
     * appended to {@code file} (relative to it), published; printed and reported as RESULT lines.
     */
    private void reopenAndChangeOne(Path publisher, String leasePath, String file, String subtree,
                                    String changedWhere) throws Exception {
        Run t = server(publisher, "transaction", REPO + leasePath);
        Files.writeString(editableTree(t.output()).resolve(file), "one more line\n", StandardCharsets.US_ASCII,
                StandardOpenOption.APPEND);
        Run one = server(publisher, "publish", REPO);
        System.out.printf(Locale.ROOT, "transaction again on %s: %.2f s (cpu %.2f s, peak RSS %d MiB; %s)%n",
                subtree, t.wall(), t.cpu(), t.peakRssKiB() >> 10, workTreeOf(t));
        System.out.printf(Locale.ROOT, "one changed file%s: transaction + publish %.2f s (publish %.2f s)%n",
                changedWhere, t.wall() + one.wall(), one.wall());
        Results.print("publish: transaction on " + subtree + " (objects cached)", t.wall(), "s");
        Results.print("publish: one changed file" + changedWhere + ", transaction + publish", t.wall() + one.wall(), "s");
        report(t);
        report(one);
    }

    /**
     * A transaction opened and aborted on another lease path, then one on {@code leasePath}
     * again (the head unchanged): what switching paths costs the working tree, as Conveyor jobs
     * (one path each) and CI pipelines do.
     */
    private void backFromAnotherPath(Path publisher, String leasePath, String subtree) throws Exception {
        server(publisher, "transaction", REPO + "/another");
        server(publisher, "abort", "-f", REPO);
        Run back = server(publisher, "transaction", REPO + leasePath);
        server(publisher, "abort", "-f", REPO);
        System.out.printf(Locale.ROOT, "transaction on %s again after one on another path: %.2f s (cpu %.2f s; %s)%n",
                subtree, back.wall(), back.cpu(), workTreeOf(back));
        Results.print("publish: transaction on " + subtree + " after one on another path", back.wall(), "s");
        report(back);
    }

    /**
     * The latency rows again through the resident cvmfs_server JVM (the launcher's default; every
     * other row runs each command in a JVM of its own, as {@code CVMFS_SUITE_SERVER_DAEMON=off}
     * does): a first transaction + abort in a JVM of its own starts it, then {@value #ROUNDS}
     * rounds of {@code transaction}, one changed file and {@code publish} through it. Medians, with
     * the same rounds in a JVM each as the in-run baseline; CPU is the launcher's and the resident
     * JVM's.
     */
    private void residentRounds(Path publisher, String leasePath, String file, String subtree) throws Exception {
        server(true, publisher, "transaction", REPO + leasePath);
        server(true, publisher, "abort", "-f", REPO);
        for (long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60); residentPid() == 0 && System.nanoTime() < end; ) {
            Thread.sleep(100);
        }
        if (residentPid() == 0) {
            System.out.println("resident cvmfs_server: none started; rows left out");
            return;
        }
        double[][] own = rounds(false, publisher, leasePath, file);
        double[][] warm = rounds(true, publisher, leasePath, file);
        System.out.printf(Locale.ROOT, "one changed file in %s, %d rounds, medians: own JVM each: transaction %.2f s"
                        + " (cpu %.2f s), publish %.2f s (cpu %.2f s); resident JVM: transaction %.2f s (cpu %.2f s),"
                        + " publish %.2f s (cpu %.2f s)%n", subtree, ROUNDS, median(own[0]), median(own[1]),
                median(own[2]), median(own[3]), median(warm[0]), median(warm[1]), median(warm[2]), median(warm[3]));
        List<GatewayCommitLog> commits = GatewayCommitLog.read(dir.resolve("gateway.log"), REPO);
        if (commits.size() >= ROUNDS) {
            System.out.printf(Locale.ROOT, "  gateway, medians of the resident JVM's %d commits: %s%n", ROUNDS,
                    GatewayCommitLog.median(commits.subList(commits.size() - ROUNDS, commits.size())).phases());
        }
        Results.print("publish: transaction on " + subtree + ", resident JVM / own JVM", median(warm[0]), median(own[0]), "s");
        Results.print("publish: one changed file, publish, resident JVM / own JVM", median(warm[2]), median(own[2]), "s");
        Results.print("publish: one changed file, transaction + publish, resident JVM / own JVM",
                median(warm[0]) + median(warm[2]), median(own[0]) + median(own[2]), "s");
    }

    /**
     * The small-files publication again, through the resident JVM (which a user's
     * {@code publish} reaches by default): as many new files, another seed, a path of their own;
     * against the first one's rate, which a JVM of its own published. Then the resident JVM is
     * stopped.
     */
    /** {@code ceiling}: files/s of zlib+SHA-1 on every core and nothing else, for the small files. */
    private void residentSmallFiles(Path publisher, Run own, double ceiling) throws Exception {
        if (residentPid() == 0) {
            return;
        }
        Path tree = editableTree(server(true, publisher, "transaction", REPO + "/small-resident").output());
        Corpus.generate(tree, files, SMALL_MIN, SMALL_MAX, 0, 0, 2027);
        Run r = server(true, publisher, "publish", REPO);
        System.out.printf(Locale.ROOT, "%d more small files, through the resident JVM: publish %6.2f s  %7.0f files/s"
                + " (a JVM of its own above: %.0f files/s; %.2f of the ceiling); resident JVM RSS after: %d MiB%n", files,
                r.wall(), files / r.wall(), files / own.wall(), files / r.wall() / ceiling,
                usage(residentPid())[1] >> 10);
        Results.print("publish: " + files + " small files, resident JVM / own JVM", files / r.wall(), files / own.wall(), "files/s");
        report(r);

        Run l = withLibdeflate(publisher, () -> {
            Path again = editableTree(server(true, publisher, "transaction", REPO + "/small-libdeflate").output());
            Corpus.generate(again, files, SMALL_MIN, SMALL_MAX, 0, 0, 2027);
            return server(true, publisher, "publish", REPO);
        });
        System.out.printf(Locale.ROOT, "the same %d files again, resident JVM, %s=libdeflate: publish %6.2f s  %7.0f files/s"
                + " (zlib: %.0f files/s); bytes uploaded: %s%n", files, DEFLATE_KEY, l.wall(), files / l.wall(),
                files / r.wall(), uploadedAgainst(l, r, "zlib's"));
        Results.print("publish: " + files + " small files, resident JVM, libdeflate / zlib", files / l.wall(), files / r.wall(), "files/s");
        report(l);
        Thread.sleep(4000);
        System.out.printf(Locale.ROOT, "resident JVM RSS after 4 s without a command: %d MiB%n", usage(residentPid())[1] >> 10);
    }

    private static final int ROUNDS = 5;

    /** {@value #ROUNDS} rounds of transaction, one appended line, publish: wall and CPU of each command. */
    private double[][] rounds(boolean resident, Path publisher, String leasePath, String file) throws Exception {
        double[][] figures = new double[4][ROUNDS];
        for (int i = 0; i < ROUNDS; i++) {
            Run t = server(resident, publisher, "transaction", REPO + leasePath);
            Files.writeString(editableTree(t.output()).resolve(file), "round " + i + "\n", StandardCharsets.US_ASCII,
                    StandardOpenOption.APPEND);
            Run p = server(resident, publisher, "publish", REPO);
            figures[0][i] = t.wall();
            figures[1][i] = t.cpu();
            figures[2][i] = p.wall();
            figures[3][i] = p.cpu();
        }
        return figures;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }

    /** What the transaction said it made: an overlay of the cached tree, or a copy. */
    private static String workTreeOf(Run transaction) {
        return transaction.output().contains("overlay of the cached tree") ? "overlay" : "copy";
    }

    private static void report(Run r) {
        Matcher m = PHASES.matcher(r.output());
        System.out.printf(Locale.ROOT, "    publisher: cpu %.2f s, %.2f cores on average, peak RSS %d MiB; gateway: cpu %.2f s,"
                        + " RSS %d MiB after; %s%n", r.cpu(), r.cores(), r.peakRssKiB() >> 10, r.gatewayCpu(),
                r.gatewayRssKiB() >> 10, m.find() ? "phases: " + m.group(1) : "no phase breakdown printed");
    }

    /** User + system CPU milliseconds the gateway process has used so far, and its resident set in KiB. */
    private long[] gatewayUsage() {
        return gateway == null ? new long[] {0, 0} : usage(gateway.pid());
    }

    /** The bench's own directory of resident JVM state ({@code XDG_RUNTIME_DIR} of every command). */
    private Path residentState() {
        return dir.resolve("run");
    }

    /** The process id of the resident cvmfs_server JVM, from its state file; 0 when none runs. */
    private long residentPid() {
        try (Stream<Path> states = Files.list(residentState().resolve("cvmfs-suite/resident"))) {
            for (Path state : states.filter(f -> f.getFileName().toString().startsWith("cvmfs_server-")
                    && f.getFileName().toString().endsWith(".state")).toList()) {
                return Long.parseLong(Files.readString(state).trim().split(" ")[2]);
            }
        } catch (IOException | RuntimeException none) {
            // no resident JVM (yet)
        }
        return 0;
    }

    /** User + system CPU milliseconds process {@code pid} has used so far, and its resident set in KiB. */
    private static long[] usage(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);  // utime, stime (fields 14, 15)
            long rssPages = Long.parseLong(f[21]);  // field 24
            return new long[] {ticks * 10, rssPages * 4};  // USER_HZ 100: 10 ms a tick; 4 KiB pages
        } catch (IOException | RuntimeException e) {
            return new long[] {0, 0};
        }
    }

    /** Where the transaction says the leased subtree can be edited. */
    private static Path editableTree(String transactionOutput) {
        Matcher m = OPEN_IN.matcher(transactionOutput);
        if (!m.find()) {
            throw new IllegalStateException("transaction did not say where to write: " + transactionOutput);
        }
        return Path.of(m.group(1));
    }

    /**
     * Runs {@code deploy/bin/cvmfs_server --prefix HOST ARGS} under {@code /usr/bin/time}; returns
     * its output and cost, fails with its output.
     */
    private Run server(Path host, String... args) throws IOException, InterruptedException {
        return server(false, host, args);
    }

    /**
     * As {@link #server(Path, String...)}; {@code resident}: through the resident JVM when one
     * answers (its CPU time counted in), else in a JVM of its own that starts it.
     */
    private Run server(boolean resident, Path host, String... args) throws IOException, InterruptedException {
        Path timing = Files.createTempFile(dir, "time.", ".txt");
        List<String> command = new ArrayList<>(List.of("/usr/bin/time", "-o", timing.toString(), "-f",
                "time: %e %U %S %M", suite.resolve("deploy/bin/cvmfs_server").toString(), "--prefix", host.toString()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile(dir, "command.", ".log");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("CVMFS_SUITE_SERVER_DAEMON", resident ? "on" : "off");
        pb.environment().put("XDG_RUNTIME_DIR", residentState().toString());
        if (javaOptions != null) {
            pb.environment().merge("JAVA_OPTS", javaOptions, (a, b) -> a + " " + b);
        }
        if (jfr != null) {
            Path recording = jfr.resolve(String.format("%02d-%s.jfr", ++commands, args[0]));
            pb.environment().merge("JAVA_OPTS", "-XX:StartFlightRecording=filename=" + recording + ",settings=profile",
                    (a, b) -> a + " " + b);
        }
        long[] gatewayBefore = gatewayUsage();
        long[] residentBefore = resident ? usage(residentPid()) : new long[] {0, 0};
        int exit = pb.start().waitFor();
        long[] gatewayAfter = gatewayUsage();
        long[] residentAfter = resident ? usage(residentPid()) : new long[] {0, 0};
        String output = Files.readString(log);
        String time = Files.readString(timing);
        Files.delete(log);
        Files.delete(timing);
        if (exit != 0) {
            throw new IllegalStateException("cvmfs_server " + String.join(" ", args) + " exited with " + exit + ":\n"
                    + output + time);
        }
        Matcher m = TIME.matcher(time);
        if (!m.find()) {
            throw new IllegalStateException("/usr/bin/time printed no figures: " + time);
        }
        return new Run(output, Double.parseDouble(m.group(1)),
                Double.parseDouble(m.group(2)) + Double.parseDouble(m.group(3)) + (residentAfter[0] - residentBefore[0]) / 1000.0,
                Math.max(Long.parseLong(m.group(4)), residentAfter[1]),
                (gatewayAfter[0] - gatewayBefore[0]) / 1000.0, gatewayAfter[1]);
    }

    private Process startGateway(Path host, int port) throws IOException, InterruptedException {
        // the launcher, so that its heap and GC defaults are the ones measured
        ProcessBuilder pb = new ProcessBuilder(suite.resolve("deploy/bin/cvmfs_gateway").toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("JAVA_OPTS", "-Dquarkus.http.host=127.0.0.1" + (jfr == null ? ""
                : " -XX:StartFlightRecording=filename=" + jfr.resolve("gateway.jfr") + ",settings=profile"));
        pb.environment().put("CVMFS_SUITE_PREFIX", host.toString());
        pb.redirectErrorStream(true).redirectOutput(dir.resolve("gateway.log").toFile());
        Process started = pb.start();
        try {
            ServiceProcess.awaitReady(URI.create("http://127.0.0.1:" + port + "/api/v1/repos"), started, "the gateway");
        } catch (IllegalStateException e) {
            started.destroyForcibly();
            throw new IllegalStateException(e.getMessage() + "; its log: " + dir.resolve("gateway.log"), e);
        }
        return started;
    }

    /** Microseconds per create of an empty file in a new directory {@code probe}: what the gateway pays per object. */
    private static double createCostMicros(Path probe) throws IOException {
        Files.createDirectories(probe);
        long start = System.nanoTime();
        for (int i = 0; i < 1000; i++) {
            Files.createFile(probe.resolve("f" + i));
        }
        return (System.nanoTime() - start) / 1000.0 / 1000;
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static Path jar(Path suite, String module) {
        return suite.resolve(module).resolve("target/quarkus-app/quarkus-run.jar");
    }
}
