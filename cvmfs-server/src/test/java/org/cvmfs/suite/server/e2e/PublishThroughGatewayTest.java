package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.cvmfs.suite.server.publish.TransactionState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two publisher hosts and the packaged gateway, as in the tutorial: leases on disjoint paths,
 * conflicts, aborts, and publishers killed in the middle of an upload.
 */
@ExtendWith(Hosts.Extension.class)
class PublishThroughGatewayTest {
    private final Hosts hosts;
    private final GatewayHost gateway;
    private final PublisherHost one;
    private final PublisherHost two;
    private final ExecutorService threads = Executors.newCachedThreadPool();

    PublishThroughGatewayTest(Hosts hosts) {
        this.hosts = hosts;
        this.gateway = hosts.gateway();
        this.one = hosts.publisher1();
        this.two = hosts.publisher2();
    }

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    @Test
    void concurrentTransactionsOnDisjointPathsBothLand() throws Exception {
        ServerCli.assertExit(0, one.transaction("/team1"));
        ServerCli.assertExit(0, two.transaction("/team2"));
        write(one.tree("/team1").resolve("one.txt"), "from publisher 1\n");
        write(two.tree("/team2").resolve("sub/two.txt"), "from publisher 2\n");
        long before = gateway.head().revision();

        Future<ServerCli.Result> first = threads.submit(() -> one.publish("-a", "team1-landed"));
        Future<ServerCli.Result> second = threads.submit(() -> two.publish("-a", "team2-landed", "-m", "second team"));
        ServerCli.Result r1 = first.get(2, TimeUnit.MINUTES);
        ServerCli.Result r2 = second.get(2, TimeUnit.MINUTES);

        assertEquals(0, r1.exitCode(), r1 + gateway.log());
        assertEquals(0, r2.exitCode(), r2 + gateway.log());
        assertEquals(Set.of(before + 1, before + 2), Set.of(Hosts.revisionOf(r1), Hosts.revisionOf(r2)));
        assertEquals(before + 2, gateway.head().revision());
        hosts.assertChecks();
        hosts.assertChecks("team1-landed");
        hosts.assertChecks("team2-landed");
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals("from publisher 1\n", hosts.cat(head, "/team1/one.txt"));
            assertEquals("from publisher 2\n", hosts.cat(head, "/team2/sub/two.txt"));
        }
        assertFalse(one.holdsToken());
        assertFalse(two.holdsToken());
    }

    @Test
    void conflictingTransactionFailsWithUpstreamsExitCodeAndMessage() throws Exception {
        ContentHash root = gateway.head().rootCatalog();
        ServerCli.assertExit(0, one.transaction("/contested"));

        for (String path : List.of("/contested/deeper", "/contested", "")) {
            ServerCli.Result busy = two.transaction(path);
            assertEquals(16, busy.exitCode(), path + ": " + busy);
            assertTrue(busy.err().contains("lease path busy"), busy.err());
            assertFalse(two.holdsToken());
        }
        ServerCli.Result retried = two.transaction("/contested", "-t", "1");
        assertEquals(16, retried.exitCode(), retried.toString());
        assertTrue(retried.out().contains("retrying"), retried.out());

        // -t waits until the holder lets go
        StringWriter waiting = new StringWriter();
        Future<ServerCli.Result> patient = threads.submit(() ->
                two.cli().run(waiting, "transaction", "-t", "120", GatewayHost.REPO + "/contested"));
        awaitOutput(waiting, "retrying");
        ServerCli.assertExit(0, one.abort());
        ServerCli.Result acquired = patient.get(2, TimeUnit.MINUTES);
        assertEquals(0, acquired.exitCode(), acquired.toString());
        ServerCli.assertExit(0, two.abort());
        assertEquals(root, gateway.head().rootCatalog());
    }

    /** As upstream: a lease path's parent must be an existing directory; the lease is dropped again. */
    @Test
    void aLeasePathNeedsAnExistingParentDirectory() throws Exception {
        ServerCli.assertExit(0, one.transaction("/top"));
        write(one.tree("/top").resolve("file"), "a file\n");
        hosts.publish(one);

        ServerCli.Result missing = two.transaction("/absent/sub");
        assertEquals(2, missing.exitCode(), missing.toString());
        assertTrue(missing.err().contains("cannot open a transaction on /absent/sub: /absent does not exist"), missing.err());
        ServerCli.Result file = two.transaction("/top/file/sub");
        assertEquals(20, file.exitCode(), file.toString());
        assertTrue(file.err().contains("/top/file is not a directory"), file.err());
        assertFalse(two.holdsToken());

        ServerCli.assertExit(0, two.transaction("/top/sub"));
        ServerCli.assertExit(0, two.abort());
        ServerCli.assertExit(0, two.transaction("/new"));
        ServerCli.assertExit(0, two.abort());
    }

    @Test
    void abortLeavesTheRepositoryUnchanged() throws Exception {
        ServerCli.assertExit(0, one.transaction("/kept"));
        write(one.tree("/kept").resolve("a.txt"), "published\n");
        write(one.tree("/kept").resolve("dir/b.txt"), "published too\n");
        hosts.publish(one);
        DirectorySnapshot served = DirectorySnapshot.of(gateway.layout().servedRoot());

        ServerCli.assertExit(0, one.transaction("/kept"));
        Path tree = one.tree("/kept");
        write(tree.resolve("a.txt"), "changed\n");
        Files.delete(tree.resolve("dir/b.txt"));
        write(tree.resolve("new.txt"), "added\n");
        ServerCli.Result aborted = one.abort();

        assertEquals(0, aborted.exitCode(), aborted.toString());
        assertEquals(served, DirectorySnapshot.of(gateway.layout().servedRoot()));
        assertFalse(one.holdsToken());
        assertEquals(Optional.empty(), one.state());
        // the lease is free, and the next transaction starts from what was published, not from the aborted edits
        for (PublisherHost next : List.of(two, one)) {
            ServerCli.assertExit(0, next.transaction("/kept"));
            Path fresh = next.tree("/kept");
            assertEquals("published\n", Files.readString(fresh.resolve("a.txt")));
            assertEquals("published too\n", Files.readString(fresh.resolve("dir/b.txt")));
            assertFalse(Files.exists(fresh.resolve("new.txt")));
            ServerCli.assertExit(0, next.abort());
        }
        hosts.assertChecks();
    }

    @Test
    void publishKilledDuringUploadCanBeRetried() throws Exception {
        ContentHash root = gateway.head().rootCatalog();
        byte[] data = killedUpload("/retried");

        long revision = hosts.publish(two);

        assertEquals(revision, gateway.head().revision());
        assertNotEquals(root, gateway.head().rootCatalog());
        try (RepositoryBrowser head = hosts.browse()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            head.cat(RepositoryBrowser.parsePath("/retried/data.bin"), out);
            assertArrayEquals(data, out.toByteArray());
            assertEquals("small\n", hosts.cat(head, "/retried/small.txt"));
        }
        assertFalse(two.holdsToken());
    }

    @Test
    void publishKilledDuringUploadCanBeAborted() throws Exception {
        ContentHash root = gateway.head().rootCatalog();
        killedUpload("/dropped");

        ServerCli.Result aborted = two.abort();

        assertEquals(0, aborted.exitCode(), aborted.toString());
        assertEquals(root, gateway.head().rootCatalog());
        awaitEmpty(gateway.layout().dataDir().resolve("txn"));
        ServerCli.assertExit(0, one.transaction("/dropped"), "the lease is free again");
        assertFalse(Files.exists(one.tree("/dropped").resolve("data.bin")));
        ServerCli.assertExit(0, one.abort());
        hosts.assertChecks();
    }

    /**
     * Opens a transaction on publisher 2, then kills its publish (a JVM of its own) while the
     * gateway holds half of the first object pack. Returns the content of the big file.
     */
    private byte[] killedUpload(String leasePath) throws Exception {
        ServerCli.assertExit(0, two.transaction(leasePath));
        byte[] data = new byte[3 << 20];
        new Random(leasePath.hashCode()).nextBytes(data);
        Files.write(two.tree(leasePath).resolve("data.bin"), data);
        write(two.tree(leasePath).resolve("small.txt"), "small\n");
        ContentHash root = gateway.head().rootCatalog();

        CountDownLatch cut = hosts.tap().cutNextPayloadAfter(64 * 1024);
        Path log = hosts.scratch("killed").resolve("publish.log");
        Process publish = ServerProcess.start(two.prefix(), log, "publish", GatewayHost.REPO);
        try {
            assertTrue(cut.await(2, TimeUnit.MINUTES), () -> "no upload began: " + read(log));
        } finally {
            publish.destroyForcibly();
            assertTrue(publish.waitFor(1, TimeUnit.MINUTES));
        }

        TransactionState state = two.state().orElseThrow();
        assertEquals(TransactionState.Phase.PUBLISHING, state.phase(), read(log));
        assertTrue(two.holdsToken());
        assertEquals(root, gateway.head().rootCatalog());
        hosts.assertChecks();
        return data;
    }

    /** The gateway notices the cut upload when the killed publisher's connection closes; then it cleans up. */
    private static void awaitEmpty(Path dir) throws Exception {
        Await.poll(() -> list(dir).isEmpty(), Duration.ofSeconds(60));
        assertEquals(List.of(), list(dir), "partial objects of the cut upload are left in " + dir);
    }

    private static List<Path> list(Path dir) {
        try (var files = Files.list(dir)) {
            return files.toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void awaitOutput(StringWriter out, String text) throws InterruptedException {
        Await.poll(() -> out.toString().contains(text), Duration.ofSeconds(120));
        assertTrue(out.toString().contains(text), out.toString());
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }
}
