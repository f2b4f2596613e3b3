package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.ingest.DeflateLibrary;
import org.cvmfs.suite.protocol.repository.CatalogInfo;
import org.cvmfs.suite.protocol.repository.RepositoryBrowser;
import org.cvmfs.suite.protocol.store.Zlib;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What one publisher host publishes through the gateway is what another one gets back when it
 * opens a transaction on the same subtree: bytes, modes, mtimes, symbolic links, empty files,
 * odd names, nested catalogs and chunked files, across a second revision with deletions and
 * entries changing type.
 */
@ExtendWith(Hosts.Extension.class)
class ContentRoundTripTest {
    private static final String LEASE = "/roundtrip";
    /** Above the default maximum chunk size (16 MiB), so the file is stored in chunks. */
    private static final int BIG = (20 << 20) + 12345;

    private final Hosts hosts;
    private final PublisherHost one;
    private final PublisherHost two;

    ContentRoundTripTest(Hosts hosts) {
        this.hosts = hosts;
        this.one = hosts.publisher1();
        this.two = hosts.publisher2();
    }

    @Test
    void contentRoundTripsExactlyAcrossTwoRevisions() throws Exception {
        ServerCli.assertExit(0, one.transaction(LEASE));
        Path tree = one.tree(LEASE);
        writeFirstRevision(tree);
        stamp(tree, 1_600_000_000L);
        TreeListing first = TreeListing.of(tree);
        byte[] big = Files.readAllBytes(tree.resolve("big.bin"));
        hosts.publish(one);

        assertEquals(first, fetchedByPublisher2(LEASE));
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals(List.of("/", LEASE + "/nested", LEASE + "/nested/inner"), catalogs(head));
            assertTrue(head.stat(RepositoryBrowser.parsePath(LEASE + "/big.bin")).chunked(),
                    "a file of " + BIG + " bytes is chunked");
            ByteArrayOutputStream content = new ByteArrayOutputStream();
            head.cat(RepositoryBrowser.parsePath(LEASE + "/big.bin"), content);
            assertArrayEquals(big, content.toByteArray());
        }

        ServerCli.assertExit(0, one.transaction(LEASE));
        assertEquals(first, TreeListing.of(one.tree(LEASE)), "the next transaction starts from what was published");
        changeForSecondRevision(one.tree(LEASE));
        stamp(one.tree(LEASE), 1_650_000_000L);
        TreeListing second = TreeListing.of(one.tree(LEASE));
        hosts.publish(one);

        assertEquals(second, fetchedByPublisher2(LEASE));
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals(List.of("/", LEASE + "/nested"), catalogs(head));
            CatalogInfo nested = head.catalogs().get(1);
            assertTrue(one.caches(nested.hash()), "the nested catalog publisher 1 rewrote, which the gateway"
                    + " took as it is, stays in publisher 1's object cache: " + nested.hash());
            assertTrue(head.stat(RepositoryBrowser.parsePath(LEASE + "/replaced-dir")).isRegular());
            assertTrue(head.stat(RepositoryBrowser.parsePath(LEASE + "/replaced-file")).isDirectory());
            assertFalse(head.list(RepositoryBrowser.parsePath(LEASE)).stream()
                    .anyMatch(e -> e.name().equals("to-delete.txt")));
        }
    }

    @Test
    void ingestPublishesATarballThenADeletion() throws Exception {
        Path tarball = hosts.scratch("ingest").resolve("release.tar");
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(tarball))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            directory(tar, "v1/", 0750, 1_500_000_000L);
            file(tar, "v1/bin/tool", 0755, 1_500_000_100L, "#!/bin/sh\necho tool\n".getBytes(StandardCharsets.UTF_8));
            file(tar, "v1/share/empty", 0644, 1_500_000_200L, new byte[0]);
            TarArchiveEntry link = new TarArchiveEntry("v1/current", TarConstants.LF_SYMLINK);
            link.setLinkName("bin/tool");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }

        ServerCli.Result ingested = one.cli().run("ingest", "-t", tarball.toString(), "-b", "ingested",
                GatewayHost.REPO);
        assertEquals(0, ingested.exitCode(), ingested.toString());
        hosts.assertChecks();
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals("#!/bin/sh\necho tool\n", hosts.cat(head, "/ingested/v1/bin/tool"));
            DirectoryEntry tool = head.stat(RepositoryBrowser.parsePath("/ingested/v1/bin/tool"));
            assertEquals(0755, tool.permissions());
            assertEquals(1_500_000_100L, tool.mtime());
            assertEquals(0750, head.stat(RepositoryBrowser.parsePath("/ingested/v1")).permissions());
            assertEquals(0, head.stat(RepositoryBrowser.parsePath("/ingested/v1/share/empty")).size());
            assertEquals("bin/tool", head.stat(RepositoryBrowser.parsePath("/ingested/v1/current")).symlink());
        }

        ServerCli.Result deleted = one.cli().run("ingest", "-d", "ingested/v1/share", GatewayHost.REPO);
        assertEquals(0, deleted.exitCode(), deleted.toString());
        hosts.assertChecks();
        try (RepositoryBrowser head = hosts.browse()) {
            assertEquals(List.of("bin", "current"), head.list(RepositoryBrowser.parsePath("/ingested/v1")).stream()
                    .map(DirectoryEntry::name).toList());
        }
        assertFalse(one.holdsToken());
    }

    /**
     * {@code CVMFS_SUITE_DEFLATE_LIBRARY=libdeflate} on publisher 1: its objects are not zlib's
     * bytes for the same content, and publisher 2 and the repository read them back all the same,
     * small, empty and chunked.
     */
    @Test
    void contentCompressedByLibdeflateRoundTripsUnderOtherNames() throws Exception {
        assumeTrue(DeflateLibrary.LIBDEFLATE.availableHere(), "libdeflate is not found here");
        String lease = "/deflated";
        Path conf = one.layout().serverConf();
        String zlibConf = Files.readString(conf);
        Files.writeString(conf, zlibConf + DeflateLibrary.CONFIG_KEY + "=libdeflate\n");
        try {
            ServerCli.assertExit(0, one.transaction(lease));
            Path tree = one.tree(lease);
            byte[] text = "a line of text that compresses well, as most of a software release does\n"
                    .repeat(300_000).getBytes(StandardCharsets.US_ASCII);
            Files.write(tree.resolve("text.txt"), Arrays.copyOf(text, 100_000));
            Files.write(tree.resolve("chunked.txt"), text);
            write(tree.resolve("empty.txt"), "", "rw-r--r--");
            stamp(tree, 1_700_000_000L);
            TreeListing published = TreeListing.of(tree);
            hosts.publish(one);

            assertEquals(published, fetchedByPublisher2(lease));
            hosts.assertChecks();
            try (RepositoryBrowser head = hosts.browse()) {
                DirectoryEntry small = head.stat(RepositoryBrowser.parsePath(lease + "/text.txt"));
                byte[] byZlib = Zlib.compress(Arrays.copyOf(text, 100_000));
                assertNotEquals(ContentHash.of(HashAlgorithm.SHA1, HashAlgorithm.SHA1.digest(byZlib), ObjectSuffix.NONE),
                        small.hash(), "stored as zlib wrote it: libdeflate not used");
                assertTrue(head.stat(RepositoryBrowser.parsePath(lease + "/chunked.txt")).chunked());
                ByteArrayOutputStream content = new ByteArrayOutputStream();
                head.cat(RepositoryBrowser.parsePath(lease + "/chunked.txt"), content);
                assertArrayEquals(text, content.toByteArray());
            }
        } finally {
            Files.writeString(conf, zlibConf);
        }
    }

    /** Publisher 2 opens a transaction on the subtree, which fetches it from the gateway; then lets go. */
    private TreeListing fetchedByPublisher2(String lease) {
        ServerCli.Result opened = two.transaction(lease);
        assertEquals(0, opened.exitCode(), opened.toString());
        TreeListing fetched = TreeListing.of(two.tree(lease));
        ServerCli.assertExit(0, two.abort());
        return fetched;
    }

    private static List<String> catalogs(RepositoryBrowser head) {
        return head.catalogs().stream().map(CatalogInfo::mountpoint)
                .map(p -> p.isRoot() ? "/" : p.toString()).toList();
    }

    private static void writeFirstRevision(Path tree) throws IOException {
        write(tree.resolve("empty.txt"), "", "rw-r--r--");
        write(tree.resolve("emptied.txt"), "not for long\n", "rw-r--r--");
        write(tree.resolve("exec.sh"), "#!/bin/sh\necho hello\n", "rwxr-xr-x");
        write(tree.resolve("private.txt"), "only the owner\n", "rw-------");
        write(tree.resolve("readonly.txt"), "look, don't touch\n", "r--r--r--");
        write(tree.resolve("two\nlines.txt"), "a name with a newline\n", "rw-r--r--");
        write(tree.resolve("café ☕.txt"), "a name that is not ASCII\n", "rw-r--r--");
        write(tree.resolve("to-delete.txt"), "gone in the next revision\n", "rw-r--r--");
        write(tree.resolve("replaced-dir/a.txt"), "a\n", "rw-r--r--");
        write(tree.resolve("replaced-dir/sub/b.txt"), "b\n", "rw-r--r--");
        write(tree.resolve("replaced-file"), "becomes a directory\n", "rw-r--r--");
        write(tree.resolve("restricted/secret.txt"), "s3cr3t\n", "rw-------");
        write(tree.resolve("nested/.cvmfscatalog"), "", "rw-r--r--");
        write(tree.resolve("nested/data.txt"), "in the nested catalog\n", "rw-r--r--");
        write(tree.resolve("nested/inner/.cvmfscatalog"), "", "rw-r--r--");
        write(tree.resolve("nested/inner/deep.txt"), "two catalogs down\n", "rw-r--r--");
        write(tree.resolve("sealed/inside.txt"), "in a read-only directory\n", "rw-r--r--");
        byte[] big = new byte[BIG];
        new Random(4).nextBytes(big);
        Files.write(tree.resolve("big.bin"), big);
        Files.createSymbolicLink(tree.resolve("link"), Path.of("exec.sh"));
        Files.createSymbolicLink(tree.resolve("absolute-link"), Path.of("/etc/hostname"));
        Files.createSymbolicLink(tree.resolve("dangling"), Path.of("../nowhere/at/all"));
        Files.createSymbolicLink(tree.resolve("link-becomes-file"), Path.of("private.txt"));
        Files.createDirectories(tree.resolve("empty-dir"));
        Files.setPosixFilePermissions(tree.resolve("restricted"), PosixFilePermissions.fromString("rwx------"));
        Files.setPosixFilePermissions(tree.resolve("sealed"), PosixFilePermissions.fromString("r-xr-xr-x"));
    }

    private static void changeForSecondRevision(Path tree) throws IOException {
        Files.delete(tree.resolve("to-delete.txt"));
        DirectoryTree.delete(tree.resolve("replaced-dir"));
        write(tree.resolve("replaced-dir"), "was a directory\n", "rw-r--r--");
        Files.delete(tree.resolve("replaced-file"));
        write(tree.resolve("replaced-file/inside.txt"), "was a file\n", "rw-r--r--");
        Files.writeString(tree.resolve("emptied.txt"), "");
        Files.setPosixFilePermissions(tree.resolve("exec.sh"), PosixFilePermissions.fromString("rwx------"));
        Files.delete(tree.resolve("link"));
        Files.createSymbolicLink(tree.resolve("link"), Path.of("readonly.txt"));
        Files.delete(tree.resolve("link-becomes-file"));
        write(tree.resolve("link-becomes-file"), "was a symbolic link\n", "rw-r--r--");
        Files.delete(tree.resolve("nested/inner/.cvmfscatalog"));
        write(tree.resolve("nested/inner/added.txt"), "now in the catalog of /nested\n", "rw-r--r--");
        try (RandomAccessFile big = new RandomAccessFile(tree.resolve("big.bin").toFile(), "rw")) {
            big.seek(BIG / 2);
            big.write("a few changed bytes in the middle".getBytes(StandardCharsets.US_ASCII));
        }
    }

    private static void write(Path file, String text, String permissions) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(permissions));
    }

    /** Distinct whole-second mtimes on every file and directory (deepest first), as a catalog keeps them. */
    private static void stamp(Path tree, long base) throws IOException {
        List<Path> all;
        try (Stream<Path> walk = Files.walk(tree)) {
            all = walk.sorted(Comparator.reverseOrder()).toList();
        }
        long t = base;
        for (Path p : all) {
            if (!Files.isSymbolicLink(p)) {
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.from(t++, TimeUnit.SECONDS), null, null);
            }
        }
    }

    private static void directory(TarArchiveOutputStream tar, String name, int mode, long mtime) throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(040000 | mode);
        e.setModTime(mtime * 1000);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
    }

    private static void file(TarArchiveOutputStream tar, String name, int mode, long mtime, byte[] content)
            throws IOException {
        TarArchiveEntry e = new TarArchiveEntry(name);
        e.setMode(0100000 | mode);
        e.setModTime(mtime * 1000);
        e.setSize(content.length);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
    }
}
