package org.cvmfs.suite.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.notify.NotifyClient;
import org.cvmfs.suite.protocol.testing.FreePorts;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Notification service figures: publish-to-delivery latency (p50, p99) over SSE for 1, 100 and
 * 1,000 subscribers, and publishes per second sustained. From the suite root:
 *
 * <pre>
 * mvn -B -o -q package -DskipTests -pl notify-service,bench -am &amp;&amp; java -cp "bench/target/classes:bench/target/lib/*" org.cvmfs.suite.bench.NotifyBench
 * </pre>
 *
 * Without arguments it starts {@code notify-service/target/quarkus-app/quarkus-run.jar} on a free
 * loopback port (relay to the RabbitMQ of {@code CVMFS_NOTIFY_AMQP_*}, default guest on
 * localhost:5672, vhost /) and stops it at the end; {@code --url http://host:4930/api/v1}
 * measures a running service instead, {@code --jar PATH} names another jar. Latency is measured
 * in this process, from just before the publish request to the subscriber's callback, so it
 * includes both HTTP exchanges and the client's decoding.
 */
public final class NotifyBench {
    private static final int[] SUBSCRIBERS = {1, 100, 1000};
    private static final int PUBLISHES_PER_ROUND = 40;
    private static final Duration THROUGHPUT_RUN = Duration.ofSeconds(10);
    private static final int PUBLISHER_THREADS = 4;
    private static final int THROUGHPUT_SUBSCRIBERS_PER_REPOSITORY = 25;

    private final NotifyClient client;
    private final String runId = Long.toString(System.currentTimeMillis(), 36);
    private double oneSubscriberP50;

    private NotifyBench(NotifyClient client) {
        this.client = client;
    }

    @Command(name = "bench/run.sh notify", mixinStandardHelpOptions = true,
            description = "Publish-to-delivery latency and publish rate of the notification service.")
    static final class Options implements Callable<Integer> {
        @Option(names = "--url", paramLabel = "URL",
                description = "measure a running service (http://host:port/api/v1) instead of starting one")
        String url;

        @Option(names = "--jar", paramLabel = "PATH", description = "the service's jar (default ${DEFAULT-VALUE})")
        Path jar = Path.of("notify-service/target/quarkus-app/quarkus-run.jar");

        @Override
        public Integer call() throws Exception {
            run(url, jar);
            return 0;
        }
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new Options()).execute(args));
    }

    private static void run(String url, Path jar) throws Exception {
        ExecutorService callbacks = Executors.newFixedThreadPool(4);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(callbacks)
                .connectTimeout(Duration.ofSeconds(10)).build();
        Process service = null;
        Path prefix = null;
        try {
            if (url == null) {
                int port = FreePorts.next();
                prefix = Files.createTempDirectory("notify-bench");
                service = start(jar, port, prefix);
                url = "http://127.0.0.1:" + port + "/api/v1";
                ServiceProcess.awaitReady(URI.create("http://127.0.0.1:" + port + "/q/health/live"), service, "the notification service");
            }
            System.out.println("notification service " + url);
            NotifyBench bench = new NotifyBench(NotifyClient.create(URI.create(url), http));
            bench.latency(10, false); // warms up both ends, not reported
            System.out.printf("%-12s %8s %10s %10s %10s%n", "subscribers", "publishes", "p50 ms", "p99 ms", "max ms");
            for (int n : SUBSCRIBERS) {
                bench.latency(n, true);
            }
            bench.throughput();
        } finally {
            if (service != null) {
                service.destroy();
                service.waitFor(20, TimeUnit.SECONDS);
            }
            if (prefix != null) {
                DirectoryTree.delete(prefix);
            }
            callbacks.shutdownNow();
        }
    }

    /** Publishes one revision at a time to {@code n} subscribers and waits for every delivery. */
    private void latency(int n, boolean report) throws Exception {
        String repository = "latency-" + n + (report ? "" : "-warmup") + "-" + runId + ".bench";
        Map<Long, Long> sentAt = new ConcurrentHashMap<>();
        Map<Long, CountDownLatch> arrivals = new ConcurrentHashMap<>();
        long[] samples = new long[n * PUBLISHES_PER_ROUND];
        AtomicLong count = new AtomicLong();
        List<NotifyClient.Subscription> open = subscribe(repository, n, message -> {
            long now = System.nanoTime();
            long revision = revisionOf(message);
            Long t0 = sentAt.get(revision);
            if (t0 != null) {
                int i = (int) count.getAndIncrement();
                if (i < samples.length) {
                    samples[i] = now - t0;
                }
                arrivals.get(revision).countDown();
            }
        });
        try {
            for (long revision = 1; revision <= PUBLISHES_PER_ROUND; revision++) {
                CountDownLatch all = new CountDownLatch(n);
                arrivals.put(revision, all);
                ActivityMessage m = message(repository, revision);
                sentAt.put(revision, System.nanoTime());
                requireAccepted(client.publish(m));
                if (!all.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(all.getCount() + " of " + n + " subscribers missed revision " + revision);
                }
                Thread.sleep(30); // past the service's SSE spacing, so no delivery is coalesced
            }
        } finally {
            open.forEach(NotifyClient.Subscription::close);
        }
        if (!report) {
            return;
        }
        long[] sorted = Arrays.copyOf(samples, (int) Math.min(count.get(), samples.length));
        Arrays.sort(sorted);
        System.out.printf("%-12d %8d %10.2f %10.2f %10.2f%n", n, PUBLISHES_PER_ROUND,
                millis(percentile(sorted, 50)), millis(percentile(sorted, 99)), millis(sorted[sorted.length - 1]));
        double p50 = millis(percentile(sorted, 50));
        if (oneSubscriberP50 == 0) {
            oneSubscriberP50 = p50;
            Results.print("notify: delivery p50, " + n + " subscriber(s)", p50, "ms");
        } else {
            Results.print("notify: delivery p50, " + n + " subscribers / " + SUBSCRIBERS[0], p50, oneSubscriberP50, "ms");
        }
    }

    /** Publishers on their own repositories, as fast as the service accepts, subscribers attached. */
    private void throughput() throws Exception {
        LongAdder accepted = new LongAdder();
        LongAdder delivered = new LongAdder();
        List<NotifyClient.Subscription> open = new ArrayList<>();
        List<String> repositories = new ArrayList<>();
        for (int t = 0; t < PUBLISHER_THREADS; t++) {
            String repository = "throughput-" + t + "-" + runId + ".bench";
            repositories.add(repository);
            open.addAll(subscribe(repository, THROUGHPUT_SUBSCRIBERS_PER_REPOSITORY, m -> delivered.increment()));
        }
        ExecutorService publishers = Executors.newFixedThreadPool(PUBLISHER_THREADS);
        long deadline = System.nanoTime() + THROUGHPUT_RUN.toNanos();
        long start = System.nanoTime();
        try {
            List<Future<?>> work = new ArrayList<>();
            for (String repository : repositories) {
                work.add(publishers.submit(() -> {
                    for (long revision = 1; System.nanoTime() < deadline; revision++) {
                        requireAccepted(client.publish(message(repository, revision)));
                        accepted.increment();
                    }
                    return null;
                }));
            }
            for (Future<?> f : work) {
                f.get();
            }
        } finally {
            publishers.shutdownNow();
            open.forEach(NotifyClient.Subscription::close);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%nsustained: %.0f publishes/s over %.1f s (%d publishers, %d subscribers; %.0f deliveries/s,"
                        + " a slow stream skips to the newest)%n",
                accepted.sum() / seconds, seconds, PUBLISHER_THREADS,
                PUBLISHER_THREADS * THROUGHPUT_SUBSCRIBERS_PER_REPOSITORY, delivered.sum() / seconds);
        Results.print("notify: sustained publishes, " + PUBLISHER_THREADS + " publishers", accepted.sum() / seconds, "publishes/s");
    }

    private List<NotifyClient.Subscription> subscribe(String repository, int n, java.util.function.Consumer<ActivityMessage> onMessage)
            throws InterruptedException {
        CountDownLatch connected = new CountDownLatch(n);
        List<NotifyClient.Subscription> open = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            open.add(client.subscribe(repository, new NotifyClient.Listener() {
                @Override
                public void onConnected() {
                    connected.countDown();
                }

                @Override
                public void onMessage(ActivityMessage message) {
                    onMessage.accept(message);
                }
            }));
        }
        if (!connected.await(120, TimeUnit.SECONDS)) {
            throw new IllegalStateException(connected.getCount() + " of " + n + " subscriptions did not connect");
        }
        return open;
    }

    private static ActivityMessage message(String repository, long revision) {
        byte[] manifest = ("C0123456789abcdef0123456789abcdef01234567\nB57344\nRd41d8cd98f00b204e9800998ecf8427e\nD240\nS"
                + revision + "\nGno\nAno\nN" + repository + "\n--\n0123456789abcdef0123456789abcdef01234567\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] signed = Arrays.copyOf(manifest, manifest.length + 256); // a signature's worth of bytes
        return ActivityMessage.of(repository, signed, ZonedDateTime.now());
    }

    private static long revisionOf(ActivityMessage message) {
        return Manifest.parseBody(message.manifest()).revision();
    }

    private static void requireAccepted(NotifyClient.PublishReply reply) {
        if (!reply.accepted()) {
            throw new IllegalStateException("publish refused: HTTP " + reply.status() + " " + reply.body());
        }
    }

    private static long percentile(long[] sorted, int p) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(p / 100.0 * sorted.length) - 1)];
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }


    /** The service on {@code port}, with its cache and configuration in a scratch prefix. */
    private static Process start(Path jar, int port, Path prefix) throws IOException {
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: build notify-service first");
        }
        ProcessBuilder pb = new ProcessBuilder("java", "-Xmx512m", "-Dquarkus.http.port=" + port,
                "-Dquarkus.http.host=127.0.0.1", "-Dquarkus.log.level=WARN", "-jar", jar.toString());
        Map<String, String> env = pb.environment();
        env.put("CVMFS_SUITE_PREFIX", prefix.toString());
        env.putIfAbsent("CVMFS_NOTIFY_AMQP_URL", "localhost");
        env.putIfAbsent("CVMFS_NOTIFY_AMQP_VHOST", "/");
        env.putIfAbsent("CVMFS_NOTIFY_AMQP_USERNAME", "guest");
        env.putIfAbsent("CVMFS_NOTIFY_AMQP_PASSWORD", "guest");
        pb.redirectErrorStream(true).redirectOutput(prefix.resolve("notify.log").toFile());
        System.out.println("starting " + jar + " on port " + port);
        return pb.start();
    }


}
