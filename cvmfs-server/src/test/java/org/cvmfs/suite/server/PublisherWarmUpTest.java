package org.cvmfs.suite.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The warm-up runs beside the commands that talk to a gateway, and beside no other. */
class PublisherWarmUpTest {
    @Test
    void startsBesidePublisherCommandsWhereverTheOptionsStand() throws Exception {
        for (String[] args : new String[][] {{"cvmfs_server", "transaction", "repo.org/sw"},
                {"cvmfs_server", "--prefix", "/host", "publish", "repo.org"}, {"cvmfs_server", "-f", "abort", "repo.org"}}) {
            Optional<Thread> warmUp = PublisherWarmUp.startFor(args);
            assertTrue(warmUp.isPresent(), String.join(" ", args));
            assertTrue(warmUp.get().isDaemon());
            assertEquals("warm-up", warmUp.get().getName());
            warmUp.get().join(60_000);
            assertFalse(warmUp.get().isAlive());
        }
    }

    @Test
    void startsBesideNoOtherCommand() {
        for (String[] args : new String[][] {{"cvmfs_server", "ls", "repo.org", "/"}, {"cvmfs_server"},
                {"cvmfs_server", "--prefix", "publish", "ls"}, {"cvmfs_swissknife", "transaction"}, {}}) {
            assertTrue(PublisherWarmUp.startFor(args).isEmpty(), String.join(" ", args));
        }
    }
}
