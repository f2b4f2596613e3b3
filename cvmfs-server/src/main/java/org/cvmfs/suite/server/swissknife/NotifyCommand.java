package org.cvmfs.suite.server.swissknife;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicReference;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.notify.NotifyClient;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.MissingRootFileException;
import org.cvmfs.suite.protocol.store.RepositoryFetchException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code cvmfs_swissknife notify}: publish a repository's manifest to a notification server, or
 * subscribe to a repository's notifications. Flags and exit codes are upstream's; the server URL
 * may be an API root or a full endpoint (both generations), and failures are not hidden: a
 * refused publish exits 10, a subscription that cannot be re-established exits 1.
 */
@Command(name = "notify", description = "Publish or subscribe to repository activity notifications")
public final class NotifyCommand implements Callable<Integer> {
    static final int EXIT_USAGE = 1;
    static final int EXIT_DOWNLOAD = 6;
    static final int EXIT_OPEN = 7;
    static final int EXIT_READ = 8;
    static final int EXIT_TRANSPORT = 9;
    static final int EXIT_REFUSED = 10;
    private static final int MAX_FAILURES = 10;

    @Spec
    CommandSpec spec;

    /** The first reconnect delay; it doubles up to 32 times this. */
    Duration retryDelay = Duration.ofSeconds(1);

    @Option(names = "-p", description = "publish")
    boolean publish;

    @Option(names = "-s", description = "subscribe")
    boolean subscribe;

    @Option(names = "-u", paramLabel = "URL", description = "notification server: API root (http://gw:4929/api/v1) or endpoint URL")
    String serverUrl;

    @Option(names = "-r", paramLabel = "URL|DIR", description = "repository base URL or directory (publish)")
    String repository;

    @Option(names = "-t", paramLabel = "FQRN", description = "repository name (subscribe)")
    String topic;

    @Option(names = "-m", paramLabel = "REVISION", description = "report only revisions above this one (subscribe)")
    String minRevision;

    @Option(names = "-c", description = "keep listening after the first notification (subscribe)")
    boolean continuous;

    @Option(names = "-v", description = "verbose")
    boolean verbose;

    @Override
    public Integer call() throws Exception {
        if (publish == subscribe) {
            return usage("exactly one of -p (publish) or -s (subscribe) is needed");
        }
        if (serverUrl == null) {
            return usage("parameter -u missing");
        }
        NotifyClient client;
        try {
            client = NotifyClient.create(URI.create(serverUrl));
        } catch (IllegalArgumentException e) {
            return usage("parameter -u: " + e.getMessage());
        }
        if (publish) {
            return repository == null ? usage("parameter -r missing") : publish(client);
        }
        return topic == null ? usage("parameter -t missing") : subscribe(client);
    }

    private int publish(NotifyClient client) throws InterruptedException {
        byte[] file;
        try {
            file = fetchManifest();
        } catch (FetchFailure f) {
            err().println(f.getMessage());
            return f.exitCode;
        }
        Manifest manifest;
        try {
            manifest = Manifest.parseBody(file);
        } catch (ManifestException e) {
            err().println("the manifest from " + repository + " is not valid: " + e.getMessage());
            return EXIT_READ;
        }
        if (verbose) {
            out().printf("Parameters:%n  notification server: %s%n  repository: %s%n", client.publishUri(), repository);
            out().printf("Manifest:%n  repository name: %s%n  revision: %d%n  root catalog: %s%n  TTL: %d s%n",
                    manifest.repositoryName(), manifest.revision(), manifest.rootCatalog().toText(), manifest.ttlSeconds());
        }
        NotifyClient.PublishReply reply;
        try {
            reply = client.publish(ActivityMessage.of(manifest.repositoryName(), file, ZonedDateTime.now()));
        } catch (IOException e) {
            err().println("cannot reach the notification server " + client.publishUri() + ": " + describe(e));
            return EXIT_TRANSPORT;
        }
        if (!reply.accepted()) {
            err().println("the notification server refused the manifest (HTTP " + reply.status() + "): " + reply.body());
            return EXIT_REFUSED;
        }
        if (verbose) {
            out().println("Published revision " + manifest.revision() + " of " + manifest.repositoryName()
                    + ": " + reply.body());
        }
        return 0;
    }

    /** Upstream reads {@code <r>/.cvmfspublished}, one trailing slash of {@code -r} dropped; one retry for downloads. */
    private byte[] fetchManifest() throws InterruptedException {
        String base = repository.endsWith("/") ? repository.substring(0, repository.length() - 1) : repository;
        if (base.startsWith("http://") || base.startsWith("https://")) {
            HttpRepositorySource source = new HttpRepositorySource(URI.create(base));
            for (int attempt = 1; ; attempt++) {
                try {
                    return source.fetchRootFile(ManifestVerifier.MANIFEST_FILE);
                } catch (MissingRootFileException | RepositoryFetchException | IllegalArgumentException e) {
                    if (attempt == 2) {
                        throw new FetchFailure(EXIT_DOWNLOAD, "cannot download " + base + "/" + ManifestVerifier.MANIFEST_FILE + ": " + e.getMessage());
                    }
                    Thread.sleep(ThreadLocalRandom.current().nextLong(500, 2000));
                }
            }
        }
        try {
            return new LocalRepositorySource(Path.of(base)).fetchRootFile(ManifestVerifier.MANIFEST_FILE);
        } catch (MissingRootFileException e) {
            throw new FetchFailure(EXIT_OPEN, "cannot open " + Path.of(base, ManifestVerifier.MANIFEST_FILE) + ": no such file");
        } catch (RepositoryFetchException e) {
            throw new FetchFailure(EXIT_READ, e.getMessage());
        }
    }

    /**
     * Listens until a revision above the threshold arrives (or forever with {@code -c}), reconnecting
     * after failures with a growing delay; upstream retries at once and gives up after a burst.
     */
    private int subscribe(NotifyClient client) throws InterruptedException {
        long threshold = atoi(minRevision);
        CompletableFuture<Void> done = new CompletableFuture<>();
        AtomicReference<Long> highest = new AtomicReference<>(threshold);
        int failures = 0;
        while (true) {
            AtomicReference<String> problem = new AtomicReference<>();
            CompletableFuture<Void> connected = new CompletableFuture<>();
            NotifyClient.Subscription[] current = new NotifyClient.Subscription[1];
            current[0] = client.subscribe(topic, new NotifyClient.Listener() {
                @Override
                public void onConnected() {
                    connected.complete(null);
                }

                @Override
                public void onMessage(ActivityMessage message) {
                    if (done.isDone()) {
                        return; // the answer is printed; events already on the wire before the close are not
                    }
                    String failure = report(message, highest);
                    if (failure != null) {
                        problem.set(failure);
                        current[0].close();
                    } else if (!continuous && highest.get() > threshold) {
                        done.complete(null);
                    }
                }
            });
            try {
                CompletableFuture.anyOf(done, current[0].ended()).get();
            } catch (ExecutionException ended) {
                // the subscription failed; handled below
            }
            if (done.isDone()) {
                current[0].close();
                return 0;
            }
            if (!current[0].ended().isCompletedExceptionally()) {
                return 0; // the server ended the stream: a normal end, as upstream treats it
            }
            failures = connected.isDone() ? 1 : failures + 1; // failures in a row without a connection
            String why = problem.get() != null ? problem.get() : describe(failureOf(current[0]));
            if (!continuous && failures > MAX_FAILURES) {
                err().println("giving up the subscription to " + topic + " at " + client.subscribeUri() + ": " + why);
                return EXIT_USAGE;
            }
            Duration delay = retryDelay.multipliedBy(1L << Math.min(failures - 1, 5));
            err().println("subscription to " + topic + " at " + client.subscribeUri() + " failed (" + why
                    + "), reconnecting in " + delay.toMillis() + " ms");
            Thread.sleep(delay.toMillis());
        }
    }

    /** Prints a notification that raises the revision; returns why the message is unacceptable, or null. */
    private String report(ActivityMessage message, AtomicReference<Long> highest) {
        Manifest manifest;
        try {
            manifest = Manifest.parseBody(message.manifest());
        } catch (ManifestException e) {
            return "notification with an invalid manifest: " + e.getMessage();
        }
        if (!manifest.repositoryName().equals(topic) || !message.repository().equals(topic)) {
            return "notification for repository " + manifest.repositoryName() + " on the subscription to " + topic;
        }
        if (manifest.revision() > highest.get()) {
            highest.set(manifest.revision());
            out().println("SwissknifeSubscriber - repository " + topic + " is now at revision " + manifest.revision() + ".");
            if (verbose) {
                out().println(new String(message.toJson(), StandardCharsets.UTF_8));
            }
            out().flush();
        }
        return null;
    }

    /** C's atoi: optional sign and leading digits, 0 when there are none. */
    static long atoi(String text) {
        if (text == null) {
            return 0;
        }
        String s = text.strip();
        int i = 0;
        boolean negative = false;
        if (i < s.length() && (s.charAt(i) == '-' || s.charAt(i) == '+')) {
            negative = s.charAt(i) == '-';
            i++;
        }
        long value = 0;
        for (; i < s.length() && Character.isDigit(s.charAt(i)) && value < Long.MAX_VALUE / 10 - 9; i++) {
            value = value * 10 + (s.charAt(i) - '0');
        }
        return negative ? -value : value;
    }

    private static Throwable failureOf(NotifyClient.Subscription s) {
        try {
            s.ended().join();
            return null;
        } catch (java.util.concurrent.CompletionException e) {
            return e.getCause();
        }
    }

    private static String describe(Throwable e) {
        if (e == null) {
            return "unknown failure";
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    private int usage(String message) {
        err().println(message);
        return EXIT_USAGE;
    }

    private PrintWriter out() {
        return spec.commandLine().getOut();
    }

    private PrintWriter err() {
        return spec.commandLine().getErr();
    }

    private static final class FetchFailure extends RuntimeException {
        private final int exitCode;

        FetchFailure(int exitCode, String message) {
            super(message);
            this.exitCode = exitCode;
        }
    }
}
