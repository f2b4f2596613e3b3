package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.resident.Invocation;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.server.ResidentPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The resident {@code cvmfs_server}'s commands, run in this JVM as the resident JVM runs them for
 * callers: each with the caller's environment and working directory (here the publisher host's
 * {@code CVMFS_SUITE_PREFIX}, or a {@code --prefix} relative to the caller's directory) and
 * output, round after round in one JVM; a second command on a repository waits for the first
 * (whose caller hangs up here: its thread interrupted ends a {@code transaction} waiting for a
 * busy path), while the kernel's lock stays the first's for other processes; other commands are
 * refused.
 */
@ExtendWith(Hosts.Extension.class)
class ResidentPublisherTest {
    private static final int EBUSY = 16;
    private final Hosts hosts;
    private final PublisherHost one;

    ResidentPublisherTest(Hosts hosts) {
        this.hosts = hosts;
        this.one = hosts.publisher1();
    }

    /** One command line of a caller in {@code cwd} with {@code env}: its exit code and output. */
    private static ServerCli.Result call(Path cwd, Map<String, String> env, String... args) {
        return call(new ByteArrayOutputStream(), cwd, env, args);
    }

    /** As above, its stdout going to {@code out} as the command writes it. */
    private static ServerCli.Result call(ByteArrayOutputStream out, Path cwd, Map<String, String> env, String... args) {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int rc = ResidentPublisher.run(new Invocation(new PrintStream(out, false, StandardCharsets.UTF_8),
                new PrintStream(err, false, StandardCharsets.UTF_8), new ByteArrayInputStream(new byte[0]), env::get, cwd), args);
        return new ServerCli.Result(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    private ServerCli.Result call(String... args) {
        return call(Path.of("/"), Map.of("CVMFS_SUITE_PREFIX", one.prefix().toString()), args);
    }

    @Test
    void roundsOfTransactionAndPublishRunForTheirCallers() throws Exception {
        long before = hosts.gateway().head().revision();
        for (int round = 1; round <= 3; round++) {
            ServerCli.Result opened = ServerCli.assertExit(0, call("cvmfs_server", "transaction", GatewayHost.REPO + "/resident"));
            assertTrue(opened.out().contains("Transaction on " + GatewayHost.REPO + "/resident open in"), opened.out());
            PublishThroughGatewayTest.write(one.tree("/resident").resolve("round.txt"), "round " + round + "\n");
            // the caller's own directory and a --prefix relative to it
            Path parent = one.prefix().getParent();
            ServerCli.Result published = ServerCli.assertExit(0, call(parent, Map.of(), "cvmfs_server", "--prefix",
                    one.prefix().getFileName().toString(), "publish", GatewayHost.REPO));
            assertEquals(before + round, Hosts.revisionOf(published), published.out());
        }
        assertEquals("round 3\n", hosts.cat(hosts.browse(), "/resident/round.txt"));
        hosts.assertChecks();
    }

    @Test
    void aSecondCommandWaitsForTheFirstWhoseHungUpCallerEndsItAndTheLockStaysHeldMeanwhile() throws Exception {
        ServerCli.assertExit(0, hosts.publisher2().transaction("/busy"));
        Map<String, String> env = Map.of("CVMFS_SUITE_PREFIX", one.prefix().toString());
        ByteArrayOutputStream progress = new ByteArrayOutputStream();
        CompletableFuture<ServerCli.Result> waiting = new CompletableFuture<>();
        Thread caller = new Thread(() -> waiting.complete(
                call(progress, Path.of("/"), env, "cvmfs_server", "transaction", "-t", "0", GatewayHost.REPO + "/busy")));
        caller.start();
        CompletableFuture<ServerCli.Result> second = new CompletableFuture<>();
        try {
            Await.until(() -> progress.toString(StandardCharsets.UTF_8).contains("retrying") || waiting.isDone(),
                    () -> "the transaction waiting for the busy path");
            new Thread(() -> second.complete(call("cvmfs_server", "abort", "-f", GatewayHost.REPO))).start();
            Thread.sleep(1000);
            assertFalse(second.isDone(), () -> "a second command of this JVM waits for the first: " + second.join());
            // the kernel's lock is still the first command's: a command in another process is refused at once
            Path log = hosts.scratch("resident-lock").resolve("abort.log");
            Process other = ServerProcess.start(one.prefix(), log, "abort", "-f", GatewayHost.REPO);
            assertTrue(other.waitFor(60, TimeUnit.SECONDS));
            assertEquals(EBUSY, other.exitValue(), Files.readString(log));
        } finally {
            caller.interrupt();
        }
        ServerCli.Result ended = waiting.get(60, TimeUnit.SECONDS);
        assertTrue(ended.exitCode() != 0 && ended.err().contains("interrupted"), ended.toString());
        ServerCli.Result after = second.get(60, TimeUnit.SECONDS);
        assertTrue(after.exitCode() != EBUSY, "the second command ran once the first ended: " + after);
        ServerCli.assertExit(0, hosts.publisher2().abort("-f"));
    }

    @Test
    void otherCommandsAreRefused() {
        for (String[] args : new String[][] {{"cvmfs_server", "ls", GatewayHost.REPO, "/"}, {"cvmfs_swissknife", "publish"}, {}}) {
            ServerCli.Result refused = call(args);
            assertEquals(2, refused.exitCode(), refused.toString());
            assertTrue(refused.err().contains("the resident JVM runs only abort, publish, transaction"), refused.err());
        }
    }
}
