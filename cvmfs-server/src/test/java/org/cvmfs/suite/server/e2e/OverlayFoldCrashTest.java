package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.cvmfs.suite.server.publish.WorkTreeMount;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A {@code cvmfs_server publish} of an overlay transaction killed ({@code kill -9}) at each step
 * boundary the fold adds ({@code FoldStep}: commit landed, first entry moved, folded), then the
 * next {@code publish} finishes, the next transaction shows the published tree, and a change
 * made in it is published correctly; the repository checks clean. The invariant this rests on is
 * stated in {@code UpperFold}'s class comment.
 */
@ExtendWith(Hosts.Extension.class)
class OverlayFoldCrashTest {
    private final Hosts hosts;
    private final PublisherHost one;

    OverlayFoldCrashTest(Hosts hosts) {
        this.hosts = hosts;
        this.one = hosts.publisher1();
    }

    @Test
    void publishKilledAroundTheFoldLeavesACorrectNextTransaction() throws Exception {
        assumeTrue(WorkTreeMount.overlayPermitted(hosts.scratch("overlay-probe")), "needs a host that permits overlay mounts");
        String path = "/crash-fold";
        ServerCli.assertExit(0, one.transaction(path));
        PublishThroughGatewayTest.write(one.tree(path).resolve("dir/base.txt"), "base\n");
        PublishThroughGatewayTest.write(one.tree(path).resolve("removed.txt"), "removed\n");
        hosts.publish(one);

        for (String step : List.of("COMMIT_LANDED", "ENTRY_MOVED", "FOLDED")) {
            long before = hosts.gateway().head().revision();
            ServerCli.assertExit(0, one.transaction(path), step);
            Path tree = one.tree(path);
            PublishThroughGatewayTest.write(tree.resolve("f.txt"), step + "\n");
            PublishThroughGatewayTest.write(tree.resolve("dir/base.txt"), "base " + step + "\n");
            Files.deleteIfExists(tree.resolve("removed.txt"));
            DirectoryTree.delete(tree.resolve("opaque"));
            PublishThroughGatewayTest.write(tree.resolve("opaque/only.txt"), step + "\n");
            // a directory the lower tree lacks: the fold moves it whole
            PublishThroughGatewayTest.write(tree.resolve("new-" + step + "/deep/a.txt"), step + "\n");

            ServerProcess.killAt(hosts.scratch("crash-" + step), one.prefix(), step, "publish", GatewayHost.REPO);
            assertEquals(before + 1, hosts.gateway().head().revision(), step + ": the commit landed");
            ServerCli.assertExit(0, one.publish(), step + ": publish finishes what was killed");
            assertFalse(one.holdsToken(), step);

            ServerCli.assertExit(0, one.transaction(path), step + ": the next transaction opens");
            tree = one.tree(path);
            assertEquals(step + "\n", Files.readString(tree.resolve("f.txt")), step);
            assertEquals("base " + step + "\n", Files.readString(tree.resolve("dir/base.txt")), step);
            assertFalse(Files.exists(tree.resolve("removed.txt")), step);
            try (var listing = Files.list(tree.resolve("opaque"))) {
                assertEquals(List.of("only.txt"), listing.map(p -> p.getFileName().toString()).toList(), step);
            }
            assertEquals(step + "\n", Files.readString(tree.resolve("new-" + step + "/deep/a.txt")), step);
            PublishThroughGatewayTest.write(tree.resolve("next.txt"), "after " + step + "\n");
            hosts.publish(one);
            hosts.assertChecks();
            try (RepositoryBrowser head = hosts.browse()) {
                assertEquals(step + "\n", hosts.cat(head, path + "/f.txt"), step);
                assertEquals("after " + step + "\n", hosts.cat(head, path + "/next.txt"), step);
                assertEquals(step + "\n", hosts.cat(head, path + "/opaque/only.txt"), step);
                assertEquals(step + "\n", hosts.cat(head, path + "/new-" + step + "/deep/a.txt"), step);
            }
            assertTrue(one.state().isEmpty(), step);
        }
    }

    /** The first publication into a lease path new to this host: its empty lower tree takes the whole upper layer. */
    @Test
    void publishKilledAroundTheFoldOfANewLeasePathLeavesACorrectNextTransaction() throws Exception {
        assumeTrue(WorkTreeMount.overlayPermitted(hosts.scratch("overlay-probe")), "needs a host that permits overlay mounts");
        for (String step : List.of("COMMIT_LANDED", "ENTRY_MOVED", "FOLDED")) {
            String path = "/crash-new-" + step.toLowerCase(java.util.Locale.ROOT);
            long before = hosts.gateway().head().revision();
            ServerCli.assertExit(0, one.transaction(path), step);
            Path tree = one.tree(path);
            PublishThroughGatewayTest.write(tree.resolve("flat.txt"), step + "\n");
            PublishThroughGatewayTest.write(tree.resolve("sub/deep.txt"), "deep " + step + "\n");

            ServerProcess.killAt(hosts.scratch("crash-new-" + step), one.prefix(), step, "publish", GatewayHost.REPO);
            assertEquals(before + 1, hosts.gateway().head().revision(), step + ": the commit landed");
            ServerCli.assertExit(0, one.publish(), step + ": publish finishes what was killed");

            ServerCli.assertExit(0, one.transaction(path), step + ": the next transaction opens");
            tree = one.tree(path);
            assertEquals(step + "\n", Files.readString(tree.resolve("flat.txt")), step);
            assertEquals("deep " + step + "\n", Files.readString(tree.resolve("sub/deep.txt")), step);
            PublishThroughGatewayTest.write(tree.resolve("sub/next.txt"), "after " + step + "\n");
            hosts.publish(one);
            hosts.assertChecks();
            try (RepositoryBrowser head = hosts.browse()) {
                assertEquals("deep " + step + "\n", hosts.cat(head, path + "/sub/deep.txt"), step);
                assertEquals("after " + step + "\n", hosts.cat(head, path + "/sub/next.txt"), step);
            }
            assertTrue(one.state().isEmpty(), step);
        }
    }
}
