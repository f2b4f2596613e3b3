package org.cvmfs.suite.protocol.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.testing.StaticHttpServer;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RepositoryBrowserTest {
    @TempDir
    Path tmp;

    private RepositoryBrowser open(RepositorySource source, Optional<String> tag) {
        PublishedManifest head = PublishedManifest.read(source, null, List.of(), Fixtures.WHITELISTS_VALID);
        return RepositoryBrowser.open(source, head.manifest(), tag, tmp.resolve("scratch"));
    }

    private static String md5(byte[] data) {
        return HexFormat.of().formatHex(PathHash.md5(data));
    }

    @Test
    void catReproducesEveryFileThePublisherHad() throws Exception {
        Path state = Fixtures.gatewayPublication().resolve("after-a");
        DirectorySnapshot before = DirectorySnapshot.of(state);
        int files = 0;
        try (RepositoryBrowser b = open(new LocalRepositorySource(state), Optional.empty())) {
            for (String line : Files.readAllLines(Fixtures.gatewayPublication().resolve("publisher-tree-a.txt"))) {
                if (line.startsWith("#")) {
                    continue;
                }
                String[] f = line.split(" ");
                RepositoryPath path = RepositoryBrowser.parsePath(f[4]);
                DirectoryEntry e = b.stat(path);
                assertEquals(Integer.parseInt(f[1], 8), e.permissions(), line);
                switch (f[0]) {
                    case "f" -> {
                        ByteArrayOutputStream out = new ByteArrayOutputStream();
                        b.cat(path, out);
                        assertEquals(Long.parseLong(f[2]), out.size(), line);
                        assertEquals(f[3], md5(out.toByteArray()), line);
                        files++;
                    }
                    case "l" -> assertEquals(f[6], e.symlink(), line);
                    case "d" -> assertTrue(e.isDirectory(), line);
                    default -> throw new AssertionError(line);
                }
            }
        }
        assertEquals(11, files);
        assertEquals(before, DirectorySnapshot.of(state));
    }

    @Test
    void listsDirectoriesAndCatalogsOverHttp() {
        try (StaticHttpServer http = StaticHttpServer.serve(Fixtures.upstreamTestLocal());
             RepositoryBrowser b = open(new HttpRepositorySource(http.url("served")), Optional.empty())) {
            List<String> root = b.list(RepositoryPath.ROOT).stream().map(DirectoryEntry::name).toList();
            assertTrue(root.containsAll(List.of("README.txt", "big.dat", "dir", "nested", "ingested", "new_repository")), root.toString());
            assertEquals(List.of("c.txt"), b.list(RepositoryBrowser.parsePath("nested/deeper/")).stream()
                    .map(DirectoryEntry::name).toList());
            List<CatalogInfo> catalogs = b.catalogs();
            assertEquals(List.of(RepositoryPath.ROOT, RepositoryPath.of("/nested")),
                    catalogs.stream().map(CatalogInfo::mountpoint).toList());
            assertEquals(1, catalogs.get(1).depth());
            assertEquals(57344, catalogs.get(0).size());
            assertEquals(3, catalogs.get(0).revision());
            ByteArrayOutputStream big = new ByteArrayOutputStream();
            b.cat(RepositoryPath.of("/big.dat"), big);
            DirectoryEntry bigEntry = b.stat(RepositoryPath.of("/big.dat"));
            assertTrue(bigEntry.chunked());
            assertEquals(bigEntry.size(), big.size());
        }
    }

    @Test
    void browsesATag() {
        try (RepositoryBrowser b = open(new LocalRepositorySource(Fixtures.upstreamTestLocal().resolve("served")),
                Optional.of("v1.0"))) {
            assertThrows(RepositoryException.class, () -> b.stat(RepositoryPath.of("/ingested")),
                    "revision 2 predates the ingest");
            assertTrue(b.stat(RepositoryPath.of("/README.txt")).isRegular());
        }
        RepositoryException e = assertThrows(RepositoryException.class, () -> open(
                new LocalRepositorySource(Fixtures.upstreamTestLocal().resolve("served")), Optional.of("v2")));
        assertEquals("no tag named 'v2' in the history of test.local", e.getMessage());
    }

    @Test
    void catRefusesWhatIsNotAFileAndNamesIt() {
        try (RepositoryBrowser b = open(new LocalRepositorySource(Fixtures.upstreamTestLocal().resolve("served")),
                Optional.empty())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals("/dir: is a directory", assertThrows(RepositoryException.class,
                    () -> b.cat(RepositoryPath.of("/dir"), out)).getMessage());
            assertEquals("/link-to-readme: is a symbolic link to 'README.txt'", assertThrows(RepositoryException.class,
                    () -> b.cat(RepositoryPath.of("/link-to-readme"), out)).getMessage());
            assertEquals("/nope: no such file or directory", assertThrows(RepositoryException.class,
                    () -> b.cat(RepositoryPath.of("/nope"), out)).getMessage());
            assertEquals(0, out.size());
            assertTrue(assertThrows(RepositoryException.class, () -> RepositoryBrowser.parsePath("/a/../b"))
                    .getMessage().startsWith("invalid repository path '/a/../b'"));
        }
    }

    @Test
    void catOfACorruptObjectFailsNamingPathAndObject() throws Exception {
        Path served = DirectoryTree.copy(Fixtures.upstreamTestLocal().resolve("served"), tmp.resolve("served"));
        DirectoryEntry readme;
        try (RepositoryBrowser b = open(new LocalRepositorySource(served), Optional.empty())) {
            readme = b.stat(RepositoryPath.of("/README.txt"));
        }
        Path object = served.resolve("data").resolve(readme.hash().objectPath());
        object.toFile().setWritable(true);
        Files.write(object, "garbage".getBytes(StandardCharsets.US_ASCII));
        try (RepositoryBrowser b = open(new LocalRepositorySource(served), Optional.empty())) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            RepositoryException e = assertThrows(RepositoryException.class, () -> b.cat(RepositoryPath.of("/README.txt"), out));
            assertTrue(e.getMessage().startsWith("/README.txt: object " + readme.hash() + " in "), e.getMessage());
            assertEquals(0, out.size());
        }
    }

    @Test
    void verifiedReadRefusesAForeignManifest() {
        var keys = List.of(new KeyDirectory(Fixtures.gatewayPublication().resolve("keys")).readMasterPublicKey("capture.test"));
        RepositorySource source = new LocalRepositorySource(Fixtures.upstreamTestLocal().resolve("served"));
        assertThrows(ManifestException.class,
                () -> PublishedManifest.read(source, null, keys, Fixtures.WHITELISTS_VALID));
        RepositoryException e = assertThrows(RepositoryException.class,
                () -> PublishedManifest.read(source, "capture.test", List.of(), Fixtures.WHITELISTS_VALID));
        assertTrue(e.getMessage().endsWith("is for repository 'test.local', expected 'capture.test'"));
        PublishedManifest ok = PublishedManifest.read(source, "test.local", List.of(
                new KeyDirectory(Fixtures.upstreamTestLocal().resolve("keys")).readMasterPublicKey("test.local")),
                Fixtures.WHITELISTS_VALID);
        assertTrue(ok.verified());
        assertFalse(PublishedManifest.read(source, null, List.of(), Fixtures.WHITELISTS_VALID).verified());
    }

    @Test
    void browsesARepositoryWrittenByMkfs() {
        RepositoryLayout layout = new RepositoryLayout(HostPaths.under(tmp.resolve("host")), "test.example.org");
        SignedManifest head = Stratum0CreatorTest.mkfs(layout, HashAlgorithm.SHA1);
        try (RepositoryBrowser b = RepositoryBrowser.open(new LocalRepositorySource(layout.servedRoot()),
                head.manifest(), Optional.empty(), tmp.resolve("scratch"))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            b.cat(RepositoryPath.of("/new_repository"), out);
            assertEquals("New CernVM-FS repository for test.example.org\n", out.toString(StandardCharsets.UTF_8));
            assertEquals(1, b.catalogs().size());
        }
    }
}
