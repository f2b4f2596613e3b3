package org.cvmfs.suite.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayClient;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.repository.HeadPublisher;
import org.cvmfs.suite.protocol.repository.MkfsOptions;
import org.cvmfs.suite.protocol.repository.Publication;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryOwner;
import org.cvmfs.suite.protocol.repository.Stratum0Creator;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.sync.CatalogDiff;
import org.cvmfs.suite.protocol.sync.CatalogMerge;
import org.cvmfs.suite.protocol.testing.FreePorts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Gateway figures: lease acquire+drop cycles per second, payload ingest in MB/s for large packs,
 * the latency of committing a one-file change into repositories of 1,000 and 100,000 entries
 * (one flat root catalog each, the worst case: the whole catalog is rewritten), the commit of a
 * large change (10,000 new files in 100 directories) and of a 100-file change into a repository
 * of 100,000 files in 100 nested catalogs (issue 11), each with its phase breakdown and the
 * gateway's resident memory and heap afterwards. Run from the suite root as
 * {@code bench/run.sh gateway [OPTIONS]} ({@code --help} lists them).
 *
 * <p>It creates the repositories with {@link Stratum0Creator} in a temporary host prefix, starts
 * the gateway through its launcher ({@code deploy/bin/cvmfs_gateway}, so with the heap and GC
 * settings a deployment gets) on a free loopback port (native receiver) and removes everything
 * at the end. Publishers read heads from the gateway's own {@code /cvmfs/REPO} serving, as
 * publisher hosts do. Commit latency is the commit request alone, measured in this process; the
 * gateway's log gives its split into merge (diff, merge, catalog writes) and publish (history,
 * reflog, signature, manifest), and a replay of the merge in this process against the same
 * catalogs splits the merge further (open, diff, apply, catalog writes).
 */
@Command(name = "bench/run.sh gateway", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Lease, payload and commit figures of the gateway, with memory.")
public final class GatewayBench implements Callable<Integer> {
    private static final GatewayKey KEY = new GatewayKey("bench", "bench_secret_bench");
    private static final String SMALL = "small.bench";
    private static final String LARGE = "large.bench";
    private static final String NESTED = "nested.bench";
    private static final Duration CYCLE_RUN = Duration.ofSeconds(5);
    private static final int CYCLE_THREADS = 4;
    private static final int PACK_OBJECTS = 32;
    private static final int OBJECT_BYTES = 4 << 20;
    private static final int INGEST_ROUNDS = 3;
    private static final int COMMIT_ROUNDS = 8;
    private static final int FILES_PER_DIRECTORY = 1000;
    enum Part { leases, ingest, commit, large, nested, connections }

    @Option(names = "--launcher", paramLabel = "PATH", description = "the gateway's launcher (default ${DEFAULT-VALUE})")
    Path launcher = Path.of("deploy/bin/cvmfs_gateway");

    @Option(names = "--jvm-arg", paramLabel = "ARG",
            description = "a JVM option for the gateway, after the launcher's defaults (repeatable; e.g. a flight recording)")
    List<String> jvmArgs = new ArrayList<>();

    @Option(names = "--only", paramLabel = "PART", split = ",",
            description = "measure only these parts: ${COMPLETION-CANDIDATES} (default: all)")
    EnumSet<Part> only = EnumSet.allOf(Part.class);

    @Option(names = "--large-files", paramLabel = "N",
            description = "files in the large change, in directories of 100 (default ${DEFAULT-VALUE})")
    int largeFiles = 10_000;

    @Option(names = "--nested-files", paramLabel = "N",
            description = "files of the repository in nested catalogs of 1,000 (default ${DEFAULT-VALUE})")
    int nestedFiles = 100_000;

    @Option(names = "--nested-change", paramLabel = "N",
            description = "files changed in that repository, in one nested catalog (default ${DEFAULT-VALUE})")
    int nestedChange = 100;

    @Option(names = "--idle-seconds", paramLabel = "S",
            description = "idle time before the last memory reading (default ${DEFAULT-VALUE})")
    int idleSeconds = 35;

    @Option(names = "--idle-connections", paramLabel = "N",
            description = "connections case: connections that never send a byte (default ${DEFAULT-VALUE})")
    int idleConnections = 2_000;

    @Option(names = "--slow-clients", paramLabel = "M",
            description = "connections case: clients sending a request head one byte per second (default ${DEFAULT-VALUE})")
    int slowClients = 200;

    @Option(names = "--idle-timeout", paramLabel = "S",
            description = "the gateway's idle_timeout in seconds (default ${DEFAULT-VALUE}, as deployed)")
    int idleTimeout = 600;

    @Option(names = "--keep", description = "keep the host prefix")
    boolean keep;

    private URI gateway;
    private Path scratch;
    private Path prefix;
    private Process service;

    public static void main(String[] args) {
        System.exit(new CommandLine(new GatewayBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (!Files.isRegularFile(launcher)) {
            throw new IllegalStateException(launcher.toAbsolutePath() + " is missing: run from the suite root");
        }
        prefix = Files.createTempDirectory("gateway-bench.");
        try {
            HostPaths host = HostPaths.under(prefix);
            if (only.contains(Part.leases) || only.contains(Part.commit) || only.contains(Part.large)) {
                createRepository(host, SMALL, 1_000, false);
            }
            if (only.contains(Part.ingest) || only.contains(Part.commit)) {
                createRepository(host, LARGE, 100_000, false);
            }
            if (only.contains(Part.nested)) {
                createRepository(host, NESTED, nestedFiles, true);
            }
            int port = FreePorts.next();
            writeGatewayConfig(host, port);
            service = start(port);
            URI root = URI.create("http://127.0.0.1:" + port + "/");
            ServiceProcess.awaitReady(root.resolve("/q/health/live"), service, "the gateway");
            gateway = root;
            scratch = prefix.resolve("publisher");
            System.out.println("gateway " + root + " (" + launcher + " " + String.join(" ", jvmArgs) + "), prefix " + prefix);
            memory("after start-up");
            if (only.contains(Part.leases)) {
                leaseCycles();
            }
            if (only.contains(Part.ingest)) {
                payloadIngest();
            }
            if (only.contains(Part.commit)) {
                commitLatency(SMALL, 1_000);
                commitLatency(LARGE, 100_000);
                memory("after the one-file commits");
            }
            if (only.contains(Part.large)) {
                largeChange(SMALL, largeFiles);
                memory("after the " + String.format("%,d", largeFiles) + "-file commit");
            }
            if (only.contains(Part.nested)) {
                nestedChange(NESTED);
                memory("after the " + nestedChange + "-file commit into nested catalogs");
            }
            if (only.contains(Part.connections)) {
                new ConnectionsCase(root, idleConnections, slowClients, Duration.ofSeconds(idleTimeout).plusSeconds(60),
                        this::memory).run();
            }
            if (idleSeconds > 0) {
                Thread.sleep(idleSeconds * 1000L);
                memory("after " + idleSeconds + " s idle");
            }
        } finally {
            if (service != null) {
                service.destroy();
                service.waitFor(30, TimeUnit.SECONDS);
            }
            if (keep) {
                System.out.println("kept " + prefix);
            } else {
                DirectoryTree.delete(prefix);
            }
        }
        return 0;
    }

    // ---- the figures ----

    private GatewayClient client() {
        return new GatewayClient(gateway.resolve("/api/v1"), KEY, Duration.ofMinutes(10), "cvmfs-suite-bench");
    }

    private void leaseCycles() throws Exception {
        GatewayClient client = client();
        runCycles(client, SMALL + "/warmup", Duration.ofSeconds(1));
        long single = runCycles(client, SMALL + "/cycle", CYCLE_RUN);
        double singleRate = single / (double) CYCLE_RUN.toSeconds();
        System.out.printf("lease acquire+drop, 1 client:  %8.0f cycles/s%n", singleRate);
        Results.print("gateway: lease acquire+drop, 1 client", singleRate, "cycles/s");
        ExecutorService pool = Executors.newFixedThreadPool(CYCLE_THREADS);
        try {
            List<Future<Long>> runs = new ArrayList<>();
            for (int t = 0; t < CYCLE_THREADS; t++) {
                String path = SMALL + "/cycle-" + t;
                runs.add(pool.submit(() -> runCycles(client(), path, CYCLE_RUN)));
            }
            long total = 0;
            for (Future<Long> run : runs) {
                total += run.get();
            }
            System.out.printf("lease acquire+drop, %d clients: %8.0f cycles/s%n", CYCLE_THREADS,
                    total / (double) CYCLE_RUN.toSeconds());
            Results.print("gateway: lease acquire+drop, " + CYCLE_THREADS + " clients / 1 client",
                    total / (double) CYCLE_RUN.toSeconds(), singleRate, "cycles/s");
        } finally {
            pool.shutdownNow();
        }
    }

    private static long runCycles(GatewayClient client, String path, Duration run) {
        LeasePath lease = LeasePath.parse(path);
        long end = System.nanoTime() + run.toNanos();
        long cycles = 0;
        while (System.nanoTime() < end) {
            String token = requireOk(client.acquire(lease, "bench")).sessionToken();
            requireOk(client.drop(token));
            cycles++;
        }
        return cycles;
    }

    private void payloadIngest() throws IOException {
        GatewayClient client = client();
        String token = requireOk(client.acquire(LeasePath.parse(LARGE + "/ingest"), "bench")).sessionToken();
        ObjectStore store = new ObjectStore(Files.createDirectories(scratch.resolve("ingest")));
        store.createSkeleton();
        Random random = new Random(4929);
        byte[] object = new byte[OBJECT_BYTES];
        double[] rates = new double[INGEST_ROUNDS];
        for (int round = 0; round <= INGEST_ROUNDS; round++) {
            ObjectPackWriter pack = new ObjectPackWriter();
            for (int i = 0; i < PACK_OBJECTS; i++) {
                random.nextBytes(object);
                // stored bytes as they travel; the gateway checks names, not compression
                ContentHash hash = store.putStored(object, HashAlgorithm.SHA1, ObjectSuffix.PARTIAL);
                Path file = store.pathOf(hash);
                pack.add(hash, Files.size(file), ObjectPackWriter.ObjectSource.ofFile(file));
            }
            long t0 = System.nanoTime();
            requireOk(client.submitPayload(token, pack));
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (round > 0) { // round 0 warms up
                rates[round - 1] = pack.payloadSize() / 1e6 / seconds;
            }
        }
        requireOk(client.drop(token));
        Arrays.sort(rates);
        System.out.printf("payload ingest, packs of %d MiB (%d objects): median %6.1f MB/s, best %6.1f MB/s%n",
                PACK_OBJECTS * (OBJECT_BYTES >> 20), PACK_OBJECTS, rates[rates.length / 2], rates[rates.length - 1]);
        Results.print("gateway: payload ingest, median of " + (PACK_OBJECTS * (OBJECT_BYTES >> 20)) + " MiB packs",
                rates[rates.length / 2], "MB/s");
    }

    /** Publishes {@value #COMMIT_ROUNDS} one-file changes below a lease of one directory. */
    private void commitLatency(String repository, int entries) throws IOException {
        GatewayClient client = client();
        HttpRepositorySource served = new HttpRepositorySource(gateway.resolve("/cvmfs/" + repository));
        long[] commit = new long[COMMIT_ROUNDS];
        long[] publish = new long[COMMIT_ROUNDS];
        for (int round = 0; round <= COMMIT_ROUNDS; round++) {
            long t0 = System.nanoTime();
            String token = requireOk(client.acquire(LeasePath.parse(repository + "/d000"), "bench")).sessionToken();
            Manifest head = SignedManifest.parse(served.fetchRootFile(".cvmfspublished")).manifest();
            ObjectStore store = new ObjectStore(Files.createTempDirectory(Files.createDirectories(scratch), "commit."));
            store.createSkeleton();
            byte[] content = ("round " + round + " of " + repository + "\n").getBytes(StandardCharsets.UTF_8);
            ContentHash data = store.putCompressed(content, HashAlgorithm.SHA1, ObjectSuffix.NONE);
            CatalogCommit change;
            try (WritableCatalogManager catalogs = WritableCatalogManager.open(served, head.rootCatalog(),
                    scratch.resolve("tmp"))) {
                catalogs.replaceFile(RepositoryPath.of("/d000/f0000"),
                        DirectoryEntry.regularFile("f0000", 0644, content.length, data).mtime(1795582800L + round).build(),
                        List.of());
                change = catalogs.commit(store, HashAlgorithm.SHA1, Clock.systemUTC());
            }
            upload(client, token, store, List.of(data));
            upload(client, token, store, change.catalogs());
            long t1 = System.nanoTime();
            GatewayReply reply = requireOk(client.commit(token, CommitRequest.of(head.rootCatalog(), change.rootHash(),
                    "generic-bench", "")));
            long t2 = System.nanoTime();
            if (reply.finalRevision() != head.revision() + 1) {
                throw new IllegalStateException("commit gave revision " + reply.finalRevision() + " after "
                        + head.revision());
            }
            DirectoryTree.delete(store.dataDir().getParent());
            if (round > 0) { // round 0 warms up
                commit[round - 1] = t2 - t1;
                publish[round - 1] = t2 - t0;
            }
        }
        Arrays.sort(commit);
        Arrays.sort(publish);
        System.out.printf("commit of a one-file change, %,7d entries: commit p50 %7.1f ms max %7.1f ms;"
                        + " whole publication p50 %7.1f ms%n", entries, commit[COMMIT_ROUNDS / 2] / 1e6,
                commit[COMMIT_ROUNDS - 1] / 1e6, publish[COMMIT_ROUNDS / 2] / 1e6);
        Results.print("gateway: one-file commit p50, " + entries + " entries", commit[COMMIT_ROUNDS / 2] / 1e6, "ms");
    }

    private static void upload(GatewayClient client, String token, ObjectStore store, List<ContentHash> objects)
            throws IOException {
        ObjectPackWriter pack = new ObjectPackWriter();
        for (ContentHash hash : objects) {
            Path file = store.pathOf(hash);
            if (!pack.add(hash, Files.size(file), ObjectPackWriter.ObjectSource.ofFile(file))) {
                throw new IllegalStateException("bench pack is full");
            }
        }
        requireOk(client.submitPayload(token, pack));
    }

    // ---- large changes, phases and memory ----

    /** {@code files} new files in directories of 100 below {@code /big}, one commit. */
    private void largeChange(String repository, int files) throws Exception {
        int directories = Math.max(1, files / 100);
        publishChange(repository, "big", String.format("commit of %,d new files", files), catalogs -> {
            long mtime = 1795582800L;
            catalogs.addDirectory(RepositoryPath.of("/big"), DirectoryEntry.directory("big", 0755).mtime(mtime).build());
            for (int d = 0; d < directories; d++) {
                String dir = String.format("/big/d%03d", d);
                catalogs.addDirectory(RepositoryPath.of(dir), DirectoryEntry.directory(dir.substring(5), 0755).build());
                for (int f = 0; f < files / directories; f++) {
                    String name = String.format("f%05d", f);
                    catalogs.addFile(RepositoryPath.of(dir + "/" + name),
                            DirectoryEntry.regularFile(name, 0644, 2, contentHash).mtime(mtime).build(), List.of());
                }
            }
        });
    }

    /** {@code --nested-change} files rewritten in one nested catalog, three rounds. */
    private void nestedChange(String repository) throws Exception {
        for (int round = 1; round <= 3; round++) {
            int r = round;
            publishChange(repository, "n050", String.format("commit of %d changed files into %,d files in nested catalogs,"
                    + " round %d", nestedChange, nestedFiles, round), catalogs -> {
                for (int f = 0; f < nestedChange; f++) {
                    String name = String.format("f%04d", f);
                    catalogs.replaceFile(RepositoryPath.of("/n050/" + name),
                            DirectoryEntry.regularFile(name, 0644, 2, contentHash).mtime(1795582800L + r).build(), List.of());
                }
            });
        }
    }

    private ContentHash contentHash;

    /**
     * Builds {@code edits} on the served head as a publisher does, uploads the catalogs, commits
     * through the gateway and prints the times: the commit request, the gateway's merge and
     * publish (from its log), and a replay of the merge in this process split into its phases.
     */
    private void publishChange(String repository, String leaseSubpath, String label,
            java.util.function.Consumer<WritableCatalogManager> edits) throws Exception {
        GatewayClient client = client();
        HttpRepositorySource served = new HttpRepositorySource(gateway.resolve("/cvmfs/" + repository));
        String token = requireOk(client.acquire(LeasePath.parse(repository + "/" + leaseSubpath), "bench")).sessionToken();
        Manifest head = SignedManifest.parse(served.fetchRootFile(".cvmfspublished")).manifest();
        ObjectStore store = new ObjectStore(Files.createTempDirectory(Files.createDirectories(scratch), "change."));
        store.createSkeleton();
        contentHash = store.putCompressed("x\n".getBytes(StandardCharsets.UTF_8), HashAlgorithm.SHA1, ObjectSuffix.NONE);
        long t0 = System.nanoTime();
        CatalogCommit change;
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(served, head.rootCatalog(), scratch.resolve("tmp"))) {
            edits.accept(catalogs);
            change = catalogs.commit(store, HashAlgorithm.SHA1, Clock.systemUTC());
        }
        long t1 = System.nanoTime();
        upload(client, token, store, List.of(contentHash));
        upload(client, token, store, change.catalogs());
        long t2 = System.nanoTime();
        long cpu0 = gatewayCpuMillis();
        requireOk(client.commit(token, CommitRequest.of(head.rootCatalog(), change.rootHash(), "generic-bench", "")));
        long t3 = System.nanoTime();
        long cpu = gatewayCpuMillis() - cpu0;
        DirectoryTree.delete(store.dataDir().getParent());
        System.out.printf("%s: commit request %,.0f ms, gateway CPU %,d ms (publisher's catalogs %,.0f ms, upload %,.0f ms)"
                + ", load average %s%n", label, ms(t3 - t2), cpu, ms(t1 - t0), ms(t2 - t1), loadAverage());
        Results.print("gateway: " + label + ", commit request", ms(t3 - t2), "ms");
        Results.print("gateway: " + label + ", gateway CPU", cpu, "ms");
        gatewayPhases(repository);
        replayMerge(repository, head.rootCatalog(), change.rootHash(), RepositoryPath.of("/" + leaseSubpath));
    }

    /** The gateway's own split of its last commit into {@code repository}, from its log. */
    private void gatewayPhases(String repository) throws IOException {
        List<GatewayCommitLog> commits = GatewayCommitLog.read(prefix.resolve("gateway.log"), repository);
        System.out.println(commits.isEmpty() ? "  gateway: no 'commit merged' line in its log"
                : "  gateway: " + commits.get(commits.size() - 1).phases());
    }

    /**
     * Runs the receiver's merge again in this process on the same catalogs (as the gateway's
     * {@code NativeReceiver} does), writing into a scratch store, and prints each phase.
     */
    private void replayMerge(String repository, ContentHash oldRoot, ContentHash newRoot, RepositoryPath lease) {
        Path served = prefix.resolve("srv/cvmfs/" + repository);
        LocalRepositorySource source = new LocalRepositorySource(served);
        ObjectStore sink = new ObjectStore(DirectoryTree.createScratch(scratch, "replay."));
        sink.createSkeleton();
        Path tmp = scratch.resolve("tmp");
        try {
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long cpu0 = threads.getCurrentThreadCpuTime();
            long t0 = System.nanoTime();
            long[] changes = new long[1];
            try (CatalogHierarchy before = CatalogHierarchy.open(source, oldRoot, tmp);
                 CatalogHierarchy after = CatalogHierarchy.open(source, newRoot, tmp)) {
                long t1 = System.nanoTime();
                CatalogDiff.run(before, after, lease, c -> changes[0]++);
                long t2 = System.nanoTime();
                try (WritableCatalogManager target = WritableCatalogManager.open(source, oldRoot, tmp)) {
                    long t3 = System.nanoTime();
                    CatalogDiff.run(before, after, lease, new CatalogMerge(target));
                    long t4 = System.nanoTime();
                    CatalogCommit merged = target.commit(sink, HashAlgorithm.SHA1, Clock.systemUTC());
                    long t5 = System.nanoTime();
                    System.out.printf("  replay: open %,.0f ms, diff %,.0f ms (%,d changes), open head %,.0f ms,"
                                    + " diff+merge %,.0f ms, catalog writes %,.0f ms (%d catalogs); CPU %,.0f ms in all%n",
                            ms(t1 - t0), ms(t2 - t1), changes[0], ms(t3 - t2), ms(t4 - t3), ms(t5 - t4),
                            merged.catalogs().size(), ms(threads.getCurrentThreadCpuTime() - cpu0));
                }
            }
        } finally {
            DirectoryTree.delete(sink.dataDir().getParent());
        }
    }

    /** Resident memory (now and peak) and heap (used, committed) of the gateway's JVM. */
    void memory(String when) throws IOException, InterruptedException {
        long pid = service.pid();
        String rss = "?";
        String peak = "?";
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                rss = mib(line);
            } else if (line.startsWith("VmHWM:")) {
                peak = mib(line);
            }
        }
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String info = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        long total = 0;
        long used = 0;
        Matcher m = Pattern.compile("total (\\d+)K, used (\\d+)K").matcher(info);
        while (m.find()) {
            total += Long.parseLong(m.group(1));
            used += Long.parseLong(m.group(2));
        }
        System.out.printf("gateway memory %s: resident %s MiB (peak %s MiB), heap used %d MiB of %d MiB committed%n",
                when, rss, peak, used >> 10, total >> 10);
    }

    /** User + system CPU time the gateway's process has used so far (from /proc, in clock ticks of 10 ms). */
    private long gatewayCpuMillis() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + service.pid() + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * 10;
    }

    private static String loadAverage() throws IOException {
        return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
    }

    private static String mib(String statusLine) {
        String[] words = statusLine.trim().split("\\s+");
        return Long.toString(Long.parseLong(words[1]) >> 10);
    }

    private static double ms(long nanos) {
        return nanos / 1e6;
    }

    // ---- set-up ----

    /**
     * {@code cvmfs_server mkfs}, then {@code entries} files in directories of
     * {@value #FILES_PER_DIRECTORY}; with {@code nested}, each directory is a nested catalog.
     */
    private static void createRepository(HostPaths host, String fqrn, int entries, boolean nested) {
        long t0 = System.nanoTime();
        RepositoryLayout layout = new RepositoryLayout(host, fqrn);
        Clock clock = Clock.systemUTC();
        Manifest head = new Stratum0Creator(clock).create(layout,
                new MkfsOptions(RepositoryOwner.current(), HashAlgorithm.SHA1, false)).manifest();
        ObjectStore store = new ObjectStore(layout.servedRoot());
        byte[] content = "x\n".getBytes(StandardCharsets.UTF_8);
        ContentHash data = store.putCompressed(content, HashAlgorithm.SHA1, ObjectSuffix.NONE);
        CatalogCommit filled;
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(new LocalRepositorySource(layout.servedRoot()),
                head.rootCatalog(), layout.tmpDir())) {
            int directories = Math.max(1, entries / FILES_PER_DIRECTORY);
            for (int d = 0; d < directories; d++) {
                String dir = String.format(nested ? "n%03d" : "d%03d", d);
                catalogs.addDirectory(RepositoryPath.of("/" + dir), DirectoryEntry.directory(dir, 0755).build());
                if (nested) {
                    catalogs.createNestedCatalog(RepositoryPath.of("/" + dir));
                }
                for (int f = 0; f < entries / directories - 1; f++) {
                    String name = String.format("f%04d", f);
                    catalogs.addFile(RepositoryPath.of("/" + dir + "/" + name),
                            DirectoryEntry.regularFile(name, 0644, content.length, data).build(), List.of());
                }
            }
            filled = catalogs.commit(store, HashAlgorithm.SHA1, clock);
        }
        new HeadPublisher(layout, layout.keyDirectory().readRepositoryKeys(fqrn), clock)
                .publish(Publication.of(head, filled, null));
        System.out.printf("created %s with %,d entries%s in %.1f s%n", fqrn, entries,
                nested ? " in nested catalogs of " + FILES_PER_DIRECTORY : "", (System.nanoTime() - t0) / 1e9);
    }

    private void writeGatewayConfig(HostPaths host, int port) throws IOException {
        Path dir = Files.createDirectories(host.etcCvmfs().resolve("gateway"));
        Files.writeString(dir.resolve("repo.json"), """
                { "version": 2,
                  "repos": [ { "domain": "%s", "keys": [ { "id": "%s", "path": "/" } ] },
                             { "domain": "%s", "keys": [ { "id": "%s", "path": "/" } ] },
                             { "domain": "%s", "keys": [ { "id": "%s", "path": "/" } ] } ],
                  "keys": [ { "type": "plain_text", "id": "%s", "secret": "%s" } ] }
                """.formatted(SMALL, KEY.id(), LARGE, KEY.id(), NESTED, KEY.id(), KEY.id(), KEY.secret()));
        Files.writeString(dir.resolve("user.json"), """
                { "port": %d, "max_lease_time": 7200, "log_level": "info", "idle_timeout": %d,
                  "work_dir": "%s", "receiver_backend": "native" }
                """.formatted(port, idleTimeout, host.resolve("/var/lib/cvmfs-gateway")));
    }

    /** The gateway through its launcher: the JVM settings a deployment gets, plus {@code --jvm-arg}s. */
    private Process start(int port) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(launcher.toString());
        pb.environment().put(HostPaths.PREFIX_ENV, prefix.toString());
        pb.environment().put("CVMFS_SUITE_HOME", Path.of("").toAbsolutePath().toString());
        List<String> options = new ArrayList<>(List.of("-Dquarkus.http.host=127.0.0.1"));
        options.addAll(jvmArgs);
        pb.environment().put("JAVA_OPTS", String.join(" ", options));
        pb.redirectErrorStream(true).redirectOutput(prefix.resolve("gateway.log").toFile());
        return pb.start();
    }

    private static GatewayReply requireOk(GatewayReply reply) {
        if (!reply.isOk()) {
            throw new IllegalStateException("gateway refused: " + reply.toWire());
        }
        return reply;
    }


}
