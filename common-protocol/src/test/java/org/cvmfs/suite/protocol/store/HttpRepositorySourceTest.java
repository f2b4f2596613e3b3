package org.cvmfs.suite.protocol.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.manifest.VerifiedManifest;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.testing.FreePorts;
import org.cvmfs.suite.protocol.testing.StaticHttpServer;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpRepositorySourceTest {
    private static final ContentHash CERTIFICATE = LocalRepositorySourceTest.CERTIFICATE;

    @TempDir
    Path tmp;
    private Path repo;
    private StaticHttpServer server;
    private HttpRepositorySource source;

    @BeforeEach
    void serve() {
        repo = DirectoryTree.copy(Fixtures.upstreamTestLocal().resolve("served"), tmp.resolve("cvmfs/test.local"));
        server = StaticHttpServer.serve(tmp);
        source = new HttpRepositorySource(server.url("cvmfs/test.local/"), Duration.ofSeconds(10), FetchLimits.DEFAULT);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void fetchesRootFilesAndObjects() throws Exception {
        assertArrayEquals(Files.readAllBytes(repo.resolve(".cvmfswhitelist")), source.fetchRootFile(".cvmfswhitelist"));
        assertArrayEquals(Files.readAllBytes(repo.resolve("data").resolve(CERTIFICATE.objectPath())),
                source.fetchObject(CERTIFICATE));
        assertTrue(source.hasObject(CERTIFICATE));
        assertFalse(source.hasObject(CERTIFICATE.withSuffix(ObjectSuffix.HISTORY)));
        assertEquals(server.url("cvmfs/test.local").toString(), source.describe());
        ContentHash empty = ContentHash.parse("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78", ObjectSuffix.NONE);
        assertEquals(8, source.fetchObject(empty).length);
    }

    @Test
    void verifiesTheWholeChainOverHttp() {
        KeyDirectory keys = new KeyDirectory(Fixtures.upstreamTestLocal().resolve("keys"));
        VerifiedManifest v = new ManifestVerifier(List.of(keys.readMasterPublicKey("test.local")), Fixtures.WHITELISTS_VALID)
                .verify(source, "test.local");
        assertEquals(3, v.manifest().revision());
    }

    @Test
    void tellsMissingFromBroken() throws Exception {
        assertThrows(MissingRootFileException.class, () -> source.fetchRootFile(".cvmfs_status.json"));
        ContentHash absent = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {9}, ObjectSuffix.CATALOG);
        MissingObjectException missing = assertThrows(MissingObjectException.class, () -> source.fetchObject(absent));
        assertEquals(absent, missing.hash());

        Path file = repo.resolve("data").resolve(CERTIFICATE.objectPath());
        byte[] bytes = Files.readAllBytes(file);
        bytes[0] ^= 1;
        Files.write(file, bytes);
        CorruptObjectException corrupt = assertThrows(CorruptObjectException.class, () -> source.fetchObject(CERTIFICATE));
        assertTrue(corrupt.getMessage().contains("does not hash to its name"), corrupt.getMessage());
    }

    @Test
    void refusesOversizedResponses() {
        HttpRepositorySource small = new HttpRepositorySource(server.url("cvmfs/test.local"), Duration.ofSeconds(10),
                new FetchLimits(64, 64));
        RepositoryFetchException root = assertThrows(RepositoryFetchException.class,
                () -> small.fetchRootFile(".cvmfspublished"));
        assertTrue(root.getMessage().contains("more than the 64 allowed"), root.getMessage());
        assertThrows(RepositoryFetchException.class, () -> small.fetchObject(CERTIFICATE));
    }

    @Test
    void refusesBadNamesBeforeAskingTheServer() {
        assertThrows(IllegalArgumentException.class, () -> source.fetchRootFile("../test.local/.cvmfspublished"));
        assertThrows(IllegalArgumentException.class, () -> source.fetchRootFile(".cvmfspublished?x=1"));
        assertThrows(IllegalArgumentException.class, () -> new HttpRepositorySource(URI.create("file:///srv/cvmfs/x")));
    }

    @Test
    void reportsServerErrorsAndUnreachableServers() throws Exception {
        HttpServer failing = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        failing.createContext("/", exchange -> {
            exchange.sendResponseHeaders(503, -1);
            exchange.close();
        });
        failing.start();
        try {
            HttpRepositorySource broken = new HttpRepositorySource(
                    URI.create("http://127.0.0.1:" + failing.getAddress().getPort() + "/cvmfs/test.local"));
            RepositoryFetchException e = assertThrows(RepositoryFetchException.class,
                    () -> broken.fetchRootFile(".cvmfspublished"));
            assertTrue(e.getMessage().endsWith("/cvmfs/test.local/.cvmfspublished answered HTTP 503"), e.getMessage());
            assertThrows(RepositoryFetchException.class, () -> broken.hasObject(CERTIFICATE));
        } finally {
            failing.stop(0);
        }

        int closedPort = FreePorts.next();
        HttpRepositorySource unreachable = new HttpRepositorySource(
                URI.create("http://127.0.0.1:" + closedPort + "/cvmfs/test.local"), Duration.ofSeconds(5), FetchLimits.DEFAULT);
        RepositoryFetchException e = assertThrows(RepositoryFetchException.class,
                () -> unreachable.fetchObject(CERTIFICATE));
        assertTrue(e.getMessage().startsWith("GET http://127.0.0.1:" + closedPort + "/cvmfs/test.local/data/4e/"),
                e.getMessage());
    }

    @Test
    void servesConcurrentFetches() throws Exception {
        List<ContentHash> objects = new ArrayList<>();
        try (var walk = Files.walk(repo.resolve("data"))) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                String rel = repo.resolve("data").relativize(p).toString().replace("/", "");
                objects.add(ContentHash.parseSuffixed(rel));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<byte[]>> futures = new ArrayList<>();
            for (int round = 0; round < 3; round++) {
                for (ContentHash h : objects) {
                    futures.add(pool.submit(() -> source.fetchObject(h)));
                }
            }
            for (int i = 0; i < futures.size(); i++) {
                assertTrue(objects.get(i % objects.size()).matches(futures.get(i).get()));
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
