package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.name.RawName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TreeScannerTest {
    private static final RepositoryPath SW = RepositoryPath.of("/sw");

    @TempDir
    Path work;

    @Test
    void recordsDirectoriesFilesSymlinksAndMarkers() throws Exception {
        Files.createDirectories(work.resolve("lib/deep"));
        Files.writeString(work.resolve("lib/deep/a.txt"), "hello");
        Path exec = Files.writeString(work.resolve("run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(exec, PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createSymbolicLink(work.resolve("start"), Path.of("run.sh"));
        Files.createDirectories(work.resolve("nested"));
        Files.createFile(work.resolve("nested/.cvmfscatalog"));
        Files.createFile(work.resolve(".cvmfscatalog"));  // the lease root may be a catalog root

        ScannedTree tree = TreeScanner.scan(work, SW);

        assertEquals(List.of("/sw", "/sw/.cvmfscatalog", "/sw/lib", "/sw/lib/deep", "/sw/lib/deep/a.txt",
                "/sw/nested", "/sw/nested/.cvmfscatalog", "/sw/run.sh", "/sw/start"),
                tree.entries().keySet().stream().map(RepositoryPath::toString).toList());
        ScannedEntry a = tree.get(RepositoryPath.of("/sw/lib/deep/a.txt")).orElseThrow();
        assertTrue(a.isRegular());
        assertEquals(5, a.size());
        assertEquals(0100755, tree.get(RepositoryPath.of("/sw/run.sh")).orElseThrow().mode());
        ScannedEntry start = tree.get(RepositoryPath.of("/sw/start")).orElseThrow();
        assertTrue(start.isSymlink());
        assertEquals("run.sh", start.symlinkTarget());
        assertEquals(6, start.size());
        assertEquals(List.of(SW, RepositoryPath.of("/sw/nested")), tree.catalogMountpoints());
    }

    @Test
    void fifoIsRefusedWithItsPath() throws Exception {
        Files.createDirectories(work.resolve("d"));
        run("mkfifo", work.resolve("d/pipe").toString());
        TreeScanException e = assertThrows(TreeScanException.class, () -> TreeScanner.scan(work, SW));
        assertTrue(e.getMessage().contains("/sw/d/pipe") && e.getMessage().contains("FIFO"), e.getMessage());
    }

    @Test
    void socketIsRefused() throws Exception {
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(work.resolve("sock")));
            TreeScanException e = assertThrows(TreeScanException.class, () -> TreeScanner.scan(work, SW));
            assertTrue(e.getMessage().contains("/sw/sock") && e.getMessage().contains("socket"), e.getMessage());
        }
    }

    @Test
    void symlinkLoopsAndLinksToDirectoriesAreNotFollowed() throws Exception {
        Files.createDirectories(work.resolve("dir"));
        Files.createSymbolicLink(work.resolve("a"), Path.of("b"));
        Files.createSymbolicLink(work.resolve("b"), Path.of("a"));
        Files.createSymbolicLink(work.resolve("self"), Path.of("self"));
        Files.createSymbolicLink(work.resolve("dir/up"), Path.of(".."));
        Files.createSymbolicLink(work.resolve("dir/abs"), work);
        Files.createSymbolicLink(work.resolve("slashes"), Path.of("dir"));
        run("ln", "-sfn", "dir//up/", work.resolve("slashes").toString());

        ScannedTree tree = TreeScanner.scan(work, SW);

        assertEquals(8, tree.size());
        for (String link : List.of("/sw/a", "/sw/b", "/sw/self", "/sw/dir/up", "/sw/dir/abs", "/sw/slashes")) {
            assertTrue(tree.get(RepositoryPath.of(link)).orElseThrow().isSymlink(), link);
        }
        assertEquals("dir//up/", tree.get(RepositoryPath.of("/sw/slashes")).orElseThrow().symlinkTarget());
    }

    @Test
    void namesWithNewlinesAndNonAsciiAreKept() throws Exception {
        Files.writeString(work.resolve("two\nlines"), "x");
        Files.writeString(work.resolve("café ☕"), "y");
        ScannedTree tree = TreeScanner.scan(work, RepositoryPath.ROOT);
        assertTrue(tree.get(RepositoryPath.of("/two\nlines")).isPresent());
        assertTrue(tree.get(RepositoryPath.of("/café ☕")).isPresent());
    }

    @Test
    void nameThatIsNotUtf8IsKeptByteForByte() throws Exception {
        Files.createDirectories(work.resolve("d"));
        run("sh", "-c", "mkdir \"$1/$(printf 'bad\\377\\376name')\" && touch \"$1/$(printf 'bad\\377\\376name/in\\303')\"",
                "sh", work.resolve("d").toString());
        ScannedTree tree = TreeScanner.scan(work, SW);
        RepositoryPath dir = SW.child("d").child(RawName.decode(HexFormat.of().parseHex("626164fffe6e616d65")));
        assertTrue(tree.get(dir).orElseThrow().isDirectory());
        assertTrue(tree.get(dir.child(RawName.decode(HexFormat.of().parseHex("696ec3")))).orElseThrow().isRegular());
        assertEquals(3, tree.size() - 1, "d, its raw-named directory and the file in it");
    }

    @Test
    void symlinkTargetThatIsNotUtf8IsKeptByteForByte() throws Exception {
        Files.createDirectories(work.resolve("d"));
        run("sh", "-c", "mkdir \"$1/$(printf 'd\\377')\" && ln -s \"$(printf 'x\\377')\" \"$1/l\""
                + " && ln -s \"$(printf 'x\\377//y\\303/')\" \"$1/slashes\""
                + " && ln -s \"$1/$(printf 'd\\377')\" \"$1/absolute\"", "sh", work.toString());
        ScannedTree tree = TreeScanner.scan(work, SW);
        assertEquals("78ff", targetHex(tree, "/sw/l"));
        assertEquals("78ff2f2f79c32f", targetHex(tree, "/sw/slashes"));
        // an absolute target naming an existing directory, which a file URI would end with '/'
        assertEquals(HexFormat.of().formatHex(work.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8))
                + "2f64ff", targetHex(tree, "/sw/absolute"));
    }

    private static String targetHex(ScannedTree tree, String path) {
        return HexFormat.of().formatHex(RawName.encode(tree.get(RepositoryPath.of(path)).orElseThrow().symlinkTarget()));
    }

    @Test
    void unusableCatalogMarkersAreRefused() throws Exception {
        Files.createDirectories(work.resolve("x/.cvmfscatalog"));
        TreeScanException dir = assertThrows(TreeScanException.class, () -> TreeScanner.scan(work, SW));
        assertTrue(dir.getMessage().contains("/sw/x/.cvmfscatalog") && dir.getMessage().contains("regular file"),
                dir.getMessage());
        Files.delete(work.resolve("x/.cvmfscatalog"));
        Files.createSymbolicLink(work.resolve("x/.cvmfscatalog"), Path.of("elsewhere"));
        assertThrows(TreeScanException.class, () -> TreeScanner.scan(work, SW));
        Files.delete(work.resolve("x/.cvmfscatalog"));
        Files.createFile(work.resolve(".cvmfscatalog"));
        TreeScanException root = assertThrows(TreeScanException.class, () -> TreeScanner.scan(work, RepositoryPath.ROOT));
        assertTrue(root.getMessage().contains("repository root"), root.getMessage());
    }

    @Test
    void hardLinksShareAFileKey() throws Exception {
        Path one = Files.writeString(work.resolve("one"), "same");
        Files.createLink(work.resolve("two"), one);
        ScannedTree tree = TreeScanner.scan(work, SW);
        ScannedEntry a = tree.get(RepositoryPath.of("/sw/one")).orElseThrow();
        ScannedEntry b = tree.get(RepositoryPath.of("/sw/two")).orElseThrow();
        assertEquals(a.fileKey(), b.fileKey());
        assertEquals(2, a.linkCount());
    }

    @Test
    void rootMustBeADirectory() throws Exception {
        Path file = Files.writeString(work.resolve("f"), "x");
        assertThrows(TreeScanException.class, () -> TreeScanner.scan(file, SW));
        Path link = Files.createSymbolicLink(work.resolve("l"), work);
        assertThrows(TreeScanException.class, () -> TreeScanner.scan(link, SW));
        TreeScanException missing = assertThrows(TreeScanException.class,
                () -> TreeScanner.scan(work.resolve("missing"), SW));
        assertFalse(missing.getMessage().isEmpty());
    }

    private static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes());
        assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + output);
    }
}
