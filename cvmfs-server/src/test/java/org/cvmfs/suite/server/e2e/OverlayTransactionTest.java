package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.cvmfs.suite.server.publish.WorkTreeMount;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Transactions as root where overlays can be mounted: the lease path is an overlay of the
 * spool's lower tree, which a second transaction on an unchanged subtree reuses as it is, which
 * catches up when another host changed the subtree, and which an abort leaves alone.
 */
@ExtendWith(Hosts.Extension.class)
class OverlayTransactionTest {
    private static final String UP_TO_DATE = "overlay of the cached tree, already up to date";

    private final Hosts hosts;
    private final PublisherHost one;
    private final PublisherHost two;

    OverlayTransactionTest(Hosts hosts) {
        this.hosts = hosts;
        this.one = hosts.publisher1();
        this.two = hosts.publisher2();
    }

    @BeforeEach
    void overlaysPermitted() {
        assumeTrue(WorkTreeMount.overlayPermitted(hosts.scratch("overlay-probe")), "needs a host that permits overlay mounts");
    }

    private String open(PublisherHost host, String path) {
        ServerCli.Result r = ServerCli.assertExit(0, host.transaction(path));
        assertTrue(r.out().contains("overlay of the cached tree"), r.out());
        return r.out();
    }

    @Test
    void aSecondTransactionReusesTheLowerTreeAndPublishesWhatChanged() throws Exception {
        open(one, "/ovl");
        Path tree = one.tree("/ovl");
        PublishThroughGatewayTest.write(tree.resolve("a.txt"), "a1\n");
        PublishThroughGatewayTest.write(tree.resolve("dir/old.txt"), "old\n");
        PublishThroughGatewayTest.write(tree.resolve("type"), "a file\n");
        PublishThroughGatewayTest.write(tree.resolve("mode.sh"), "echo\n");
        Files.createSymbolicLink(tree.resolve("link"), Path.of("a.txt"));
        hosts.publish(one);

        assertTrue(open(one, "/ovl").contains(UP_TO_DATE));
        tree = one.tree("/ovl");
        assertEquals("a1\n", Files.readString(tree.resolve("a.txt")));
        Files.writeString(tree.resolve("a.txt"), "a2\n");
        DirectoryTree.delete(tree.resolve("dir"));            // rm -rf, then the same name again: opaque
        PublishThroughGatewayTest.write(tree.resolve("dir/new.txt"), "new\n");
        Files.delete(tree.resolve("type"));
        PublishThroughGatewayTest.write(tree.resolve("type/inside"), "now a directory\n");
        Files.setPosixFilePermissions(tree.resolve("mode.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.delete(tree.resolve("link"));
        Files.createLink(tree.resolve("hard"), tree.resolve("a.txt"));
        hosts.publish(one);

        hosts.assertChecks();
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals("a2\n", hosts.cat(head, "/ovl/a.txt"));
            assertEquals("a2\n", hosts.cat(head, "/ovl/hard"));
            assertEquals("new\n", hosts.cat(head, "/ovl/dir/new.txt"));
            assertEquals("now a directory\n", hosts.cat(head, "/ovl/type/inside"));
            assertEquals(java.util.List.of("new.txt"), head.list(RepositoryPath.of("/ovl/dir")).stream()
                    .map(e -> e.name()).toList());
            assertEquals(0755, head.stat(RepositoryPath.of("/ovl/mode.sh")).permissions());
            assertFalse(head.list(RepositoryPath.of("/ovl")).stream().anyMatch(e -> e.name().equals("link")));
        }
        assertTrue(open(one, "/ovl").contains(UP_TO_DATE), "the fold left the lower tree at the new revision");
        tree = one.tree("/ovl");
        assertEquals("a2\n", Files.readString(tree.resolve("a.txt")));
        assertFalse(Files.exists(tree.resolve("dir/old.txt")));
        assertTrue(Files.isDirectory(tree.resolve("type")));
        ServerCli.assertExit(0, one.abort());
    }

    @Test
    void aChangeMadeOnAnotherHostIsCaughtUpAndAChangeElsewhereIsNot() throws Exception {
        open(one, "/ovl-shared");
        PublishThroughGatewayTest.write(one.tree("/ovl-shared").resolve(".cvmfscatalog"), "");
        PublishThroughGatewayTest.write(one.tree("/ovl-shared").resolve("f.txt"), "from one\n");
        hosts.publish(one);

        open(two, "/ovl-shared");
        Files.writeString(two.tree("/ovl-shared").resolve("f.txt"), "from two\n");
        hosts.publish(two);

        String caughtUp = open(one, "/ovl-shared");
        assertFalse(caughtUp.contains(UP_TO_DATE), caughtUp);
        assertEquals("from two\n", Files.readString(one.tree("/ovl-shared").resolve("f.txt")));
        ServerCli.assertExit(0, one.abort());

        open(two, "/ovl-elsewhere");
        PublishThroughGatewayTest.write(two.tree("/ovl-elsewhere").resolve("g.txt"), "g\n");
        hosts.publish(two);
        assertTrue(open(one, "/ovl-shared").contains(UP_TO_DATE),
                "the nested catalog of the lease path did not change");
        ServerCli.assertExit(0, one.abort());
    }

    @Test
    void anAbortTheGatewayRefusesKeepsTheChanges() throws Exception {
        open(one, "/ovl-refused");
        PublishThroughGatewayTest.write(one.tree("/ovl-refused").resolve("work.txt"), "hours of it\n");
        one.dropLeaseAtTheGateway();
        ServerCli.Result refused = one.abort();
        assertTrue(refused.exitCode() != 0, refused.out() + refused.err());
        assertEquals(List.of("hours of it\n"), upperFiles("work.txt"));
        assertTrue(one.state().isPresent(), "still in the transaction");
        ServerCli.assertExit(0, one.abort("-f"));
        assertEquals(List.of(), upperFiles("work.txt"));
    }

    /** The contents of the files named {@code name} in {@code one}'s upper layer. */
    private List<String> upperFiles(String name) throws IOException {
        if (!Files.isDirectory(one.upperLayer())) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(one.upperLayer())) {
            List<String> out = new ArrayList<>();
            for (Path p : all.filter(p -> p.getFileName().toString().equals(name)).toList()) {
                out.add(Files.readString(p));
            }
            return out;
        }
    }

    @Test
    void anAbortDropsTheChangesAndKeepsTheLowerTree() throws Exception {
        open(one, "/ovl-abort");
        PublishThroughGatewayTest.write(one.tree("/ovl-abort").resolve("kept.txt"), "kept\n");
        hosts.publish(one);

        open(one, "/ovl-abort");
        PublishThroughGatewayTest.write(one.tree("/ovl-abort").resolve("dropped.txt"), "dropped\n");
        Files.delete(one.tree("/ovl-abort").resolve("kept.txt"));
        ServerCli.assertExit(0, one.abort());

        assertTrue(open(one, "/ovl-abort").contains(UP_TO_DATE));
        assertEquals("kept\n", Files.readString(one.tree("/ovl-abort").resolve("kept.txt")));
        assertFalse(Files.exists(one.tree("/ovl-abort").resolve("dropped.txt")));
        ServerCli.assertExit(0, one.abort());
    }
}
