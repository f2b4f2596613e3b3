package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Root where mounting is not permitted, as in a container: {@code cvmfs_server} run in a user
 * namespace ({@code unshare -r}: uid 0, but the host's mount namespace refuses its mounts). The
 * transaction must fall back to the spool's working tree, and the publication must land.
 */
@ExtendWith(Hosts.Extension.class)
class MountRefusedTest {
    private static final List<String> USER_NAMESPACE = List.of("unshare", "-r");

    private final Hosts hosts;

    MountRefusedTest(Hosts hosts) {
        this.hosts = hosts;
    }

    @Test
    void aTransactionFallsBackToTheSpoolWhereBindMountsAreRefused() throws Exception {
        assumeTrue(userNamespaceRefusesMounts(), "needs unshare -r, where mount --bind is refused");
        PublisherHost one = hosts.publisher1();
        Path scratch = hosts.scratch("mount-refused");

        Run opened = run(scratch, one, "transaction", GatewayHost.REPO + "/no-mount");
        assertEquals(0, opened.exit(), opened.output());
        assertTrue(opened.output().contains("bind mounts are not permitted here"), opened.output());
        Path work = one.layout().spoolDir().resolve("publisher/work");
        assertTrue(opened.output().contains(" open in " + work + " "), opened.output());
        assertEquals(work, one.tree("/no-mount"), "nothing is mounted under /cvmfs");
        PublishThroughGatewayTest.write(work.resolve("inside.txt"), "published from a container\n");

        Run published = run(scratch, one, "publish", GatewayHost.REPO);
        assertEquals(0, published.exit(), published.output());
        assertFalse(one.holdsToken());
        hosts.assertChecks();
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals("published from a container\n", hosts.cat(head, "/no-mount/inside.txt"));
        }
    }

    private record Run(int exit, String output) {
    }

    private static Run run(Path scratch, PublisherHost host, String... args) throws IOException, InterruptedException {
        Path log = Files.createTempFile(scratch, "command.", ".log");
        Process p = ServerProcess.start(USER_NAMESPACE, host.prefix(), log, args);
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("cvmfs_server " + String.join(" ", args) + " did not finish: " + Files.readString(log));
        }
        return new Run(p.exitValue(), "cvmfs_server " + String.join(" ", args) + ":\n" + Files.readString(log));
    }

    private static boolean userNamespaceRefusesMounts() throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder("unshare", "-r", "sh", "-c",
                    "d=$(mktemp -d) && mkdir $d/a $d/b && mount --bind $d/a $d/b; s=$?; umount $d/b 2>/dev/null; "
                            + "rm -r $d; [ $s -ne 0 ]").redirectErrorStream(true).start();
        } catch (IOException noUnshare) {
            return false;
        }
        p.getInputStream().readAllBytes();
        return p.waitFor() == 0;
    }
}
