package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.server.publish.PublisherSpool;
import org.cvmfs.suite.server.publish.WorkTreeMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code cvmfs_server transaction} killed ({@code kill -9}) at each step boundary of the lower
 * trees' own writes ({@code LowerTreeStep}): while it takes over the single lower tree of earlier
 * versions (snapshot moved, tree moved, record not yet), and while it removes a tree used least
 * recently (renamed aside, not yet deleted). The next {@code transaction} opens on a tree that
 * shows the head, and nothing of the cut-short step is left. The invariants are stated in
 * {@code LowerTree}'s class comment.
 */
@ExtendWith(Hosts.Extension.class)
class LowerTreeCrashTest {
    private final Hosts hosts;
    private final PublisherHost one;

    LowerTreeCrashTest(Hosts hosts) {
        this.hosts = hosts;
        this.one = hosts.publisher1();
    }

    @Test
    void aTakeOverOfTheFormerTreeKilledAtEachStepIsFinishedByTheNextTransaction() throws Exception {
        assumeTrue(WorkTreeMount.overlayPermitted(hosts.scratch("overlay-probe")), "needs a host that permits overlay mounts");
        String path = "/crash-adopt";
        ServerCli.assertExit(0, one.transaction(path));
        PublishThroughGatewayTest.write(one.tree(path).resolve("kept.txt"), "kept\n");
        hosts.publish(one);
        PublisherSpool spool = one.spool();
        RepositoryPath lease = RepositoryPath.of(path);
        Path publisher = spool.lowerTrees().getParent();

        for (String step : List.of("SNAPSHOT_TAKEN_OVER", "TREE_TAKEN_OVER")) {
            // the layout an earlier version left: one tree beside its record and snapshot
            Files.move(spool.lowerTree(lease), publisher.resolve("lower"));
            Files.move(spool.lowerRecordFile(lease), publisher.resolve("lower.record"));
            Files.move(spool.lowerSnapshotFile(lease), publisher.resolve("lower.snapshot"));
            DirectoryTree.delete(spool.lowerTrees());

            ServerProcess.killAt(hosts.scratch("crash-" + step), one.prefix(), step, "transaction", GatewayHost.REPO + path);
            assertTrue(Files.exists(publisher.resolve("lower.record")), step + ": killed before the record moved");

            ServerCli.Result opened = ServerCli.assertExit(0, one.transaction(path), step + ": the next transaction opens");
            assertTrue(opened.out().contains("already up to date"), step + ": the tree taken over as it was: " + opened);
            assertEquals("kept\n", Files.readString(one.tree(path).resolve("kept.txt")), step);
            for (String former : List.of("lower", "lower.record", "lower.snapshot")) {
                assertFalse(Files.exists(publisher.resolve(former)), step + ": " + former + " is left");
            }
            ServerCli.assertExit(0, one.abort("-f"), step);
        }
    }

    @Test
    void aRemovalKilledAfterItsRenameIsFinishedByTheNextTransaction() throws Exception {
        assumeTrue(WorkTreeMount.overlayPermitted(hosts.scratch("overlay-probe")), "needs a host that permits overlay mounts");
        for (int i = 0; i < 4; i++) {
            ServerCli.assertExit(0, one.transaction("/evict-" + i));
            ServerCli.assertExit(0, one.abort("-f"));
        }
        PublisherSpool spool = one.spool();

        ServerProcess.killAt(hosts.scratch("crash-evict"), one.prefix(), "TREE_SET_ASIDE", "transaction",
                GatewayHost.REPO + "/evict-4");
        assertEquals(1, setAside(spool).size(), "killed with one tree renamed aside");

        ServerCli.assertExit(0, one.transaction("/evict-4"), "the next transaction opens");
        ServerCli.assertExit(0, one.abort("-f"));
        assertEquals(List.of(), setAside(spool), "the removal cut short is finished");
        try (Stream<Path> trees = Files.list(spool.lowerTrees())) {
            assertEquals(4, trees.count(), "four trees kept");
        }
        assertFalse(Files.exists(spool.lowerTree(RepositoryPath.of("/evict-0"))), "the one used least recently went");
    }

    private static List<Path> setAside(PublisherSpool spool) throws Exception {
        try (Stream<Path> trees = Files.list(spool.lowerTrees())) {
            return trees.filter(p -> p.getFileName().toString().startsWith(".removed-")).toList();
        }
    }
}
