package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.crashtest.PausePoint;
import org.cvmfs.suite.protocol.testing.Await;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One publisher command at a time per repository ({@code SpoolLock}): while a {@code publish}
 * runs in a process of its own (held at a step), {@code abort}, {@code transaction} and another
 * {@code publish} on the same host are refused with upstream's EBUSY and a reason, and change
 * nothing; once that process is killed ({@code kill -9}, which leaves no lock), the publication
 * is resumed.
 */
@ExtendWith(Hosts.Extension.class)
class SpoolLockTest {
    private static final int EBUSY = 16;
    private final Hosts hosts;
    private final PublisherHost one;

    SpoolLockTest(Hosts hosts) {
        this.hosts = hosts;
        this.one = hosts.publisher1();
    }

    @Test
    void aSecondCommandIsRefusedWhileOneRunsAndTheKilledOneLeavesNoLock() throws Exception {
        long before = hosts.gateway().head().revision();
        ServerCli.assertExit(0, one.transaction("/locked"));
        PublishThroughGatewayTest.write(one.tree("/locked").resolve("f.txt"), "locked\n");
        Path scratch = hosts.scratch("spool-lock");
        Path pauses = scratch.resolve("pauses");
        Process running = ServerProcess.start(List.of(), Map.of(PausePoint.PAUSE_AT_ENV, "STATE_WRITTEN",
                PausePoint.PAUSE_DIR_ENV, pauses.toString()), one.prefix(), scratch.resolve("publish.log"),
                "publish", GatewayHost.REPO);
        try {
            Await.until(() -> Files.exists(pauses.resolve("STATE_WRITTEN")) || !running.isAlive(),
                    () -> "the publish reaching STATE_WRITTEN");
            assertTrue(running.isAlive(), "the publish ended early");

            for (ServerCli.Result refused : List.of(one.abort("-f"), one.publish(), one.transaction("/elsewhere"))) {
                assertEquals(EBUSY, refused.exitCode(), refused.toString());
                assertTrue(refused.err().contains("another cvmfs_server command is working on " + GatewayHost.REPO),
                        refused.err());
            }
            assertTrue(one.state().isPresent(), "the held publication's state is untouched");
        } finally {
            running.destroyForcibly();
            running.waitFor(60, TimeUnit.SECONDS);
        }

        ServerCli.Result resumed = ServerCli.assertExit(0, one.publish(), "the publication resumed");
        assertEquals(before + 1, Hosts.revisionOf(resumed));
        hosts.assertChecks();
    }
}
