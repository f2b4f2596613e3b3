package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Content a publisher must not send: special files, paths outside the lease (names that are
 * not UTF-8 are sent as their bytes, as upstream does). Each is refused with a message naming
 * it, before a single object pack reaches the gateway (publisher 2's requests pass the tap),
 * and the transaction can go on.
 */
@ExtendWith(Hosts.Extension.class)
class HostileContentTest {
    private final Hosts hosts;
    private final GatewayHost gateway;
    private final PublisherHost two;

    HostileContentTest(Hosts hosts) {
        this.hosts = hosts;
        this.gateway = hosts.gateway();
        this.two = hosts.publisher2();
    }

    @Test
    void specialFilesAreRefusedWithAClearMessage() throws Exception {
        ServerCli.assertExit(0, two.transaction("/special"));
        Path tree = two.tree("/special");
        Files.writeString(tree.resolve("fine.txt"), "fine\n");

        run("mkfifo", tree.resolve("pipe").toString());
        refused("cannot publish /special/pipe: it is a FIFO; only directories, regular files and symbolic links");
        Files.delete(tree.resolve("pipe"));
        bindSocket(tree.resolve("socket"));
        refused("cannot publish /special/socket: it is a socket");
        Files.delete(tree.resolve("socket"));
        if (isRoot()) {
            run("mknod", tree.resolve("null").toString(), "c", "1", "3");
            refused("cannot publish /special/null: it is a character device");
            Files.delete(tree.resolve("null"));
            run("mknod", tree.resolve("loop").toString(), "b", "7", "0");
            refused("cannot publish /special/loop: it is a block device");
            Files.delete(tree.resolve("loop"));
        }

        hosts.publish(two);
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals("fine\n", hosts.cat(head, "/special/fine.txt"));
        }
    }

    @Test
    void namesAreStoredAsUpstreamStoresThem() throws Exception {
        ServerCli.assertExit(0, two.transaction("/names"));
        Path tree = two.tree("/names");
        Files.writeString(tree.resolve("first\nsecond"), "newline\n");
        Files.writeString(tree.resolve("tab\there, \"quotes\", back\\slash"), "punctuation\n");

        // a Latin-1 name: stored as its bytes, as upstream stores it (RawName: \xe9 is U+DCE9)
        run("sh", "-c", "printf x > \"$1/$(printf 'caf\\351')\"", "sh", tree.toString());

        hosts.publish(two);
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals("newline\n", hosts.cat(head, "/names/first\nsecond"));
            assertEquals("punctuation\n", hosts.cat(head, "/names/tab\there, \"quotes\", back\\slash"));
            assertEquals("x", hosts.cat(head, "/names/caf\uDCE9"));
        }
    }

    @Test
    void tarMembersOutsideTheBaseAreRefusedBeforeAnythingIsUploaded() throws Exception {
        ContentHash root = gateway.head().rootCatalog();
        List<List<Member>> hostile = List.of(
                List.of(Member.file("inside.txt"), Member.file("../escape.txt")),
                List.of(Member.file("deep/../../escape.txt")),
                List.of(Member.symlink("up", ".."), Member.file("up/escape.txt")));
        List<String> refusals = List.of("climbs out of the base directory", "climbs out of the base directory",
                "/base/up is a symlink, not a directory");
        List<Integer> exitCodes = List.of(1, 1, 20);
        for (int i = 0; i < hostile.size(); i++) {
            Path tarball = tarball(hostile.get(i));
            hosts.tap().clear();

            ServerCli.Result r = two.cli().run("ingest", "-t", tarball.toString(), "-b", "base", GatewayHost.REPO);

            assertEquals(exitCodes.get(i), r.exitCode(), r.toString());
            assertTrue(r.err().contains(refusals.get(i)), r.err());
            assertEquals(List.of("POST /leases", "DELETE /leases/" + lastToken()), routes(),
                    "the lease is taken and dropped, no object sent");
            assertEquals(root, gateway.head().rootCatalog());
            assertFalse(two.holdsToken());
        }
    }

    @Test
    void leaseThroughASymbolicLinkIsRefusedBeforeAnythingIsUploaded() throws Exception {
        ServerCli.assertExit(0, two.transaction("/linked"));
        Files.createDirectories(two.tree("/linked").resolve("real"));
        Files.createSymbolicLink(two.tree("/linked").resolve("shortcut"), Path.of("real"));
        hosts.publish(two);
        ContentHash root = gateway.head().rootCatalog();
        hosts.tap().clear();

        ServerCli.Result r = two.transaction("/linked/shortcut/sub");

        assertEquals(20, r.exitCode(), r.toString());
        assertTrue(r.err().contains("/linked/shortcut is not a directory"), r.err());
        assertEquals(List.of("POST /leases", "DELETE /leases/" + lastToken()), routes());
        assertEquals(root, gateway.head().rootCatalog());
        assertFalse(two.holdsToken());
        ServerCli.assertExit(0, hosts.publisher1().transaction("/linked"), "the dropped lease blocks nothing");
        ServerCli.assertExit(0, hosts.publisher1().abort());
    }

    /** Publish must refuse with {@code message} without uploading anything; the transaction goes on. */
    private void refused(String message) {
        hosts.tap().clear();
        ServerCli.Result r = two.publish();
        assertEquals(1, r.exitCode(), r.toString());
        assertTrue(r.err().contains(message), r.err());
        assertEquals(List.of(), hosts.tap().payloads(), "nothing is uploaded");
        assertTrue(two.state().isPresent() && two.holdsToken());
    }

    private List<String> routes() {
        return hosts.tap().requests().stream().map(q -> q.method() + " " + q.route()).toList();
    }

    private String lastToken() {
        List<GatewayTap.Request> all = hosts.tap().requests();
        return all.get(all.size() - 1).token();
    }

    private record Member(String name, String linkTarget) {
        static Member file(String name) {
            return new Member(name, null);
        }

        static Member symlink(String name, String target) {
            return new Member(name, target);
        }
    }

    /** A tarball of the members as written, names untouched (tar tools would strip the '..'). */
    private Path tarball(List<Member> members) throws IOException {
        Path tarball = hosts.scratch("hostile").resolve("hostile.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(tarball))) {
            for (Member m : members) {
                byte[] content = ("content of " + m.name() + "\n").getBytes(StandardCharsets.UTF_8);
                TarArchiveEntry e;
                if (m.linkTarget() != null) {
                    e = new TarArchiveEntry(m.name(), TarConstants.LF_SYMLINK, true);
                    e.setLinkName(m.linkTarget());
                } else {
                    e = new TarArchiveEntry(m.name(), TarConstants.LF_NORMAL, true);
                    e.setMode(0100644);
                    e.setSize(content.length);
                }
                tar.putArchiveEntry(e);
                if (m.linkTarget() == null) {
                    tar.write(content);
                }
                tar.closeArchiveEntry();
            }
        }
        return tarball;
    }

    private static void bindSocket(Path path) throws IOException {
        try (ServerSocketChannel socket = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            socket.bind(UnixDomainSocketAddress.of(path));
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).inheritIO().start();
        assertEquals(0, p.waitFor(), String.join(" ", command));
    }

    private static boolean isRoot() {
        return org.cvmfs.suite.server.publish.ProcessOwner.current().isRoot();
    }
}
