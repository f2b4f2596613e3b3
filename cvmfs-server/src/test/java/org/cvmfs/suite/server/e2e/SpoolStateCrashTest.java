package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code cvmfs_server} process killed ({@code kill -9}) at each step boundary of its writes of
 * the spool's transaction state ({@code SpoolStep}: token written, state written, state removed,
 * token removed), in each command that writes it, and the next command run on the host recovers:
 * {@code transaction} opens (dropping a lease no state records), {@code publish} publishes,
 * {@code abort} forgets; the host is left without a transaction and the repository checks. An
 * {@code abort} is also killed at each of its own steps before it forgets ({@code AbortStep}).
 * The invariant this rests on is stated in {@code PublisherSpool}'s class comment.
 */
@ExtendWith(Hosts.Extension.class)
class SpoolStateCrashTest {
    private final Hosts hosts;
    private final PublisherHost one;

    SpoolStateCrashTest(Hosts hosts) {
        this.hosts = hosts;
        this.one = hosts.publisher1();
    }

    /** Runs {@code cvmfs_server ARGS} in a process of its own, held at {@code step} and killed there. */
    private void killAt(String step, String... args) throws Exception {
        ServerProcess.killAt(hosts.scratch("crash-" + step), one.prefix(), step, args);
    }

    private void assertNoTransaction() {
        assertFalse(one.holdsToken(), "a token is left");
        assertTrue(one.state().isEmpty(), "a state is left");
    }

    private void openWithAFile(String path, String content) throws Exception {
        ServerCli.assertExit(0, one.transaction(path));
        PublishThroughGatewayTest.write(one.tree(path).resolve("f.txt"), content);
    }

    @Test
    void transactionKilledAtEachBoundaryIsOpenedAgain() throws Exception {
        for (String step : List.of("TOKEN_WRITTEN", "STATE_WRITTEN")) {
            killAt(step, "transaction", GatewayHost.REPO + "/crash-open");
            assertTrue(one.holdsToken(), step + ": the lease's token is on disk");
            ServerCli.Result again = ServerCli.assertExit(0, one.transaction("/crash-open"), step);
            ServerCli.assertExit(0, one.abort(), step + ": " + again);
            assertNoTransaction();
        }
    }

    @Test
    void publishKilledAtEachBoundaryIsPublishedOrForgotten() throws Exception {
        for (String step : List.of("TOKEN_WRITTEN", "STATE_WRITTEN", "STATE_REMOVED", "TOKEN_REMOVED")) {
            long before = hosts.gateway().head().revision();
            openWithAFile("/crash-publish", step + "\n");
            killAt(step, "publish", GatewayHost.REPO);
            boolean committed = step.startsWith("STATE_REMOVED") || step.startsWith("TOKEN_REMOVED");
            if (committed) {
                assertEquals(before + 1, hosts.gateway().head().revision(), step);
                ServerCli.assertExit(0, one.transaction("/crash-publish"), step + ": the next transaction opens");
                ServerCli.assertExit(0, one.abort(), step);
            } else {
                ServerCli.Result again = ServerCli.assertExit(0, one.publish(), step + ": publishing again");
                assertEquals(before + 1, Hosts.revisionOf(again), step);
            }
            assertNoTransaction();
            hosts.assertChecks();
            try (var head = hosts.browse()) {
                assertEquals(step + "\n", hosts.cat(head, "/crash-publish/f.txt"), step);
            }
        }
    }

    /**
     * {@code abort} killed at each of its own steps ({@code AbortStep}) before it forgets: before
     * the lease is dropped the next {@code abort} finishes; after, the gateway no longer knows the
     * lease, so a plain {@code abort} refuses and keeps the transaction, and {@code abort -f}
     * finishes. The repository is never changed.
     */
    @Test
    void abortKilledAtEachOfItsStepsIsFinishedByAbortOrAbortForce() throws Exception {
        for (String step : List.of("UNMOUNTED", "LEASE_DROPPED", "LAYERS_CLEARED")) {
            long before = hosts.gateway().head().revision();
            openWithAFile("/crash-abort-steps", step + "\n");
            killAt(step, "abort", GatewayHost.REPO);
            assertTrue(one.state().isPresent(), step + ": still in the transaction");
            if (step.equals("UNMOUNTED")) {
                ServerCli.assertExit(0, one.abort(), step + ": abort again");
            } else {
                ServerCli.Result refused = one.abort();
                assertEquals(1, refused.exitCode(), step + ": " + refused);
                assertTrue(refused.err().contains("abort -f discards it anyway"), step + ": " + refused.err());
                assertTrue(one.state().isPresent(), step + ": a refused abort keeps the transaction");
                ServerCli.assertExit(0, one.abort("-f"), step + ": abort -f");
            }
            assertNoTransaction();
            assertEquals(before, hosts.gateway().head().revision(), step);
            ServerCli.assertExit(0, one.transaction("/crash-abort-steps"), step + ": the subtree can be leased again");
            ServerCli.assertExit(0, one.abort(), step);
        }
        hosts.assertChecks();
    }

    @Test
    void abortKilledAtEachBoundaryIsFinishedByTheNextCommand() throws Exception {
        for (String step : List.of("STATE_REMOVED", "TOKEN_REMOVED")) {
            openWithAFile("/crash-abort", "dropped\n");
            killAt(step, "abort", GatewayHost.REPO);
            if (step.equals("STATE_REMOVED")) {
                ServerCli.assertExit(0, one.abort(), step + ": abort again");
            }
            assertNoTransaction();
            ServerCli.assertExit(0, one.transaction("/crash-abort"), step + ": the subtree can be leased again");
            ServerCli.assertExit(0, one.abort(), step);
        }
    }
}
