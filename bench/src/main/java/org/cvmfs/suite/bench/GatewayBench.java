package org.cvmfs.suite.bench;

import org.cvmfs.suite.protocol.files.DirectoryTree;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.config.HostPaths;
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

/**
 * Gateway figures: lease acquire+drop cycles per second, payload ingest in MB/s for large packs,
 * and the latency of committing a one-file change into repositories of 1,000 and 100,000
 * entries (one flat root catalog each, the worst case: the whole catalog is rewritten). From
 * the suite root:
 *
 * <pre>
 * mvn -B -o -q package -DskipTests -pl gateway-service,bench -am &amp;&amp; java -cp "bench/target/classes:bench/target/lib/*" org.cvmfs.suite.bench.GatewayBench
 * </pre>
 *
 * It creates both repositories with {@link Stratum0Creator} in a temporary host prefix, starts
 * {@code gateway-service/target/quarkus-app/quarkus-run.jar} there on a free loopback port
 * (native receiver) and removes everything at the end ({@code --keep} keeps the prefix,
 * {@code --jar PATH} names another jar, {@code --jvm-arg ARG} passes an option to the gateway's
 * JVM, e.g. a flight recording). Publishers read heads from the gateway's own
 * {@code /cvmfs/REPO} serving, as publisher hosts do. Commit latency is the commit request
 * alone (merge, history, reflog, signing, manifest), measured in this process.
 */
public final class GatewayBench {
    private static final GatewayKey KEY = new GatewayKey("bench", "bench_secret_bench");
    private static final String SMALL = "small.bench";
    private static final String LARGE = "large.bench";
    private static final Duration CYCLE_RUN = Duration.ofSeconds(5);
    private static final int CYCLE_THREADS = 4;
    private static final int PACK_OBJECTS = 32;
    private static final int OBJECT_BYTES = 4 << 20;
    private static final int INGEST_ROUNDS = 3;
    private static final int COMMIT_ROUNDS = 8;
    private static final int FILES_PER_DIRECTORY = 1000;

    private final URI gateway;
    private final Path scratch;

    private GatewayBench(URI gateway, Path scratch) {
        this.gateway = gateway;
        this.scratch = scratch;
    }

    public static void main(String[] args) throws Exception {
        Path jar = Path.of("gateway-service/target/quarkus-app/quarkus-run.jar");
        boolean keep = false;
        List<String> jvmArgs = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--jar" -> jar = Path.of(args[++i]);
                case "--keep" -> keep = true;
                case "--jvm-arg" -> jvmArgs.add(args[++i]);
                default -> {
                    System.err.println("usage: GatewayBench [--jar quarkus-run.jar] [--keep] [--jvm-arg ARG]...");
                    System.exit(2);
                }
            }
        }
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build gateway-service first");
        }
        Path prefix = Files.createTempDirectory("gateway-bench.");
        Process service = null;
        try {
            HostPaths host = HostPaths.under(prefix);
            createRepository(host, SMALL, 1_000);
            createRepository(host, LARGE, 100_000);
            int port = ServiceProcess.freePort();
            writeGatewayConfig(host, port);
            service = start(jar, prefix, jvmArgs);
            URI root = URI.create("http://127.0.0.1:" + port + "/");
            ServiceProcess.awaitReady(root.resolve("/q/health/live"), service, "the gateway");
            System.out.println("gateway " + root + " (" + jar + "), prefix " + prefix);

            GatewayBench bench = new GatewayBench(root, prefix.resolve("publisher"));
            bench.leaseCycles();
            bench.payloadIngest();
            bench.commitLatency(SMALL, 1_000);
            bench.commitLatency(LARGE, 100_000);
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
    }

    // ---- the figures ----

    private GatewayClient client() {
        return new GatewayClient(gateway.resolve("/api/v1"), KEY, Duration.ofMinutes(10), "cvmfs-suite-bench");
    }

    private void leaseCycles() throws Exception {
        GatewayClient client = client();
        runCycles(client, SMALL + "/warmup", Duration.ofSeconds(1));
        long single = runCycles(client, SMALL + "/cycle", CYCLE_RUN);
        System.out.printf("lease acquire+drop, 1 client:  %8.0f cycles/s%n", single / (double) CYCLE_RUN.toSeconds());
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

    // ---- set-up ----

    /** {@code cvmfs_server mkfs}, then {@code entries} files in directories of {@value #FILES_PER_DIRECTORY}. */
    private static void createRepository(HostPaths host, String fqrn, int entries) {
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
                String dir = String.format("d%03d", d);
                catalogs.addDirectory(RepositoryPath.of("/" + dir), DirectoryEntry.directory(dir, 0755).build());
                for (int f = 0; f < entries / directories - 1; f++) {
                    String name = String.format("f%04d", f);
                    catalogs.addFile(RepositoryPath.of("/" + dir + "/" + name),
                            DirectoryEntry.regularFile(name, 0644, content.length, data).build(), List.of());
                }
            }
            filled = catalogs.commit(store, HashAlgorithm.SHA1, clock);
        }
        new HeadPublisher(layout, layout.keyDirectory().readRepositoryKeys(fqrn), clock)
                .publish(Publication.of(head, filled.rootHash(), null));
        System.out.printf("created %s with %,d entries in %.1f s%n", fqrn, entries, (System.nanoTime() - t0) / 1e9);
    }

    private static void writeGatewayConfig(HostPaths host, int port) throws IOException {
        Path dir = Files.createDirectories(host.etcCvmfs().resolve("gateway"));
        Files.writeString(dir.resolve("repo.json"), """
                { "version": 2,
                  "repos": [ { "domain": "%s", "keys": [ { "id": "%s", "path": "/" } ] },
                             { "domain": "%s", "keys": [ { "id": "%s", "path": "/" } ] } ],
                  "keys": [ { "type": "plain_text", "id": "%s", "secret": "%s" } ] }
                """.formatted(SMALL, KEY.id(), LARGE, KEY.id(), KEY.id(), KEY.secret()));
        Files.writeString(dir.resolve("user.json"), """
                { "port": %d, "max_lease_time": 7200, "log_level": "warn",
                  "work_dir": "%s", "receiver_backend": "native" }
                """.formatted(port, host.resolve("/var/lib/cvmfs-gateway")));
    }

    private static Process start(Path jar, Path prefix, List<String> jvmArgs) throws IOException {
        List<String> command = new ArrayList<>(List.of("java", "-Xmx1g", "-Dquarkus.http.host=127.0.0.1"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-jar", jar.toString()));
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().put(HostPaths.PREFIX_ENV, prefix.toString());
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
