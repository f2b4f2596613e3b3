package org.cvmfs.suite.server.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The tutorial's machines for the end-to-end tests, on this host: one gateway host running the
 * packaged gateway, two publisher hosts set up against it. Publisher 1 talks to the gateway
 * directly; publisher 2 through a {@link GatewayTap} that shows what it sent. They are started
 * once for the whole test run and shared by every test class (each test works in its own
 * subtree of the one repository); after each test no transaction is left open.
 *
 * <p>Use it as a JUnit extension: {@code @ExtendWith(Hosts.Extension.class)} and a
 * {@code Hosts} parameter.
 */
final class Hosts implements ExtensionContext.Store.CloseableResource, AutoCloseable {
    private static final Pattern NEW_REVISION = Pattern.compile("New revision: (\\d+)");

    private final Path root;
    private final GatewayHost gateway;
    private final GatewayTap tap;
    private final PublisherHost publisher1;
    private final PublisherHost publisher2;

    private Hosts(Path root, GatewayHost gateway, GatewayTap tap, PublisherHost publisher1, PublisherHost publisher2) {
        this.root = root;
        this.gateway = gateway;
        this.tap = tap;
        this.publisher1 = publisher1;
        this.publisher2 = publisher2;
    }

    private static Hosts start() throws IOException {
        Path root = Files.createTempDirectory("cvmfs-e2e.");
        GatewayHost gateway = GatewayHost.start(root.resolve("gateway"));
        GatewayTap tap = GatewayTap.start(gateway.port());
        PublisherHost p1 = PublisherHost.create(root.resolve("publisher-1"), gateway, gateway.apiUrl());
        PublisherHost p2 = PublisherHost.create(root.resolve("publisher-2"), gateway, tap.apiUrl());
        return new Hosts(root, gateway, tap, p1, p2);
    }

    GatewayHost gateway() {
        return gateway;
    }

    GatewayTap tap() {
        return tap;
    }

    PublisherHost publisher1() {
        return publisher1;
    }

    /** The publisher whose requests pass the {@link #tap()}. */
    PublisherHost publisher2() {
        return publisher2;
    }

    /** A fresh scratch directory for one test. */
    Path scratch(String name) {
        try {
            return Files.createTempDirectory(Files.createDirectories(root.resolve("scratch")), name + ".");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Publishes {@code publisher}'s transaction, which must succeed, and checks the repository
     * the gateway now serves with {@code cvmfs_server check}. Returns the new revision.
     */
    long publish(PublisherHost publisher, String... options) {
        ServerCli.Result r = publisher.publish(options);
        if (r.exitCode() != 0) {
            throw new AssertionError("publish failed: " + r + "\n--- gateway log\n" + gateway.log());
        }
        assertChecks();
        return revisionOf(r);
    }

    static long revisionOf(ServerCli.Result publish) {
        Matcher m = NEW_REVISION.matcher(publish.out());
        if (!m.find()) {
            throw new AssertionError("publish printed no new revision: " + publish);
        }
        return Long.parseLong(m.group(1));
    }

    /** {@code cvmfs_server check} of the head (or of a tag) on the gateway host, which must find nothing wrong. */
    void assertChecks(String... tag) {
        List<String> args = new ArrayList<>(List.of("check"));
        if (tag.length > 0) {
            args.addAll(List.of("-t", tag[0]));
        }
        args.add(GatewayHost.REPO);
        ServerCli.Result r = gateway.cli().run(args.toArray(String[]::new));
        if (r.exitCode() != 0 || !r.out().startsWith("no problems found")) {
            throw new AssertionError("cvmfs_server check " + String.join(" ", args) + ": " + r);
        }
    }

    /** The head revision as a client sees it: through the gateway's HTTP serving of /cvmfs/REPO. */
    RepositoryBrowser browse() {
        HttpRepositorySource source = new HttpRepositorySource(gateway.stratum0Url());
        SignedManifest head = SignedManifest.parse(source.fetchRootFile(".cvmfspublished"));
        return RepositoryBrowser.open(source, head.manifest(), Optional.empty(), scratch("browse"));
    }

    String cat(RepositoryBrowser browser, String path) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        browser.cat(RepositoryBrowser.parsePath(path), out);
        return out.toString(StandardCharsets.UTF_8);
    }

    private void afterEach() {
        publisher1.forgetTransaction();
        publisher2.forgetTransaction();
        tap.cutNextPayloadAfter(-1);
        tap.failNextCommit(GatewayTap.CommitFault.NONE);
        tap.clear();
    }

    @Override
    public void close() throws IOException {
        try {
            afterEach();
            tap.close();
        } finally {
            gateway.close();
            unmountBelow(root);
            delete(root);
        }
    }

    /** Bind mounts a failed test may have left (as root the publisher mounts its working tree). */
    private static void unmountBelow(Path root) throws IOException {
        List<String> mounted = new ArrayList<>();
        for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
            String[] fields = line.split(" ");
            if (fields.length > 4 && fields[4].startsWith(root.toString() + "/")) {
                mounted.add(fields[4]);
            }
        }
        mounted.sort(Comparator.reverseOrder());
        for (String target : mounted) {
            try {
                new ProcessBuilder("umount", target).inheritIO().start().waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    /** Hostile-content tests leave read-only directories behind: writable again, then one recursive delete. */
    private static void delete(Path root) throws IOException {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
                Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwx------"));
            }
        }
        DirectoryTree.delete(root);
    }

    /** Starts the hosts on first use, shares them, closes them when the test run ends. */
    static final class Extension implements ParameterResolver, AfterEachCallback {
        @Override
        public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
            return parameter.getParameter().getType() == Hosts.class;
        }

        @Override
        public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
            return shared(context);
        }

        @Override
        public void afterEach(ExtensionContext context) {
            shared(context).afterEach();
        }

        private static Hosts shared(ExtensionContext context) {
            return context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(Hosts.class,
                    key -> {
                        try {
                            return start();
                        } catch (IOException e) {
                            throw new UncheckedIOException("cannot start the end-to-end hosts", e);
                        }
                    }, Hosts.class);
        }
    }
}
