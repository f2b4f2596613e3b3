package org.cvmfs.suite.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayClient;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * A publisher as the tests need one: reads the head a gateway serves at {@code /cvmfs/REPO},
 * edits its catalogs, keeps new objects in its own scratch store and sends them as payloads
 * (data and catalogs in separate packs, as upstream's publisher does), then commits.
 */
public final class TestPublisher implements AutoCloseable {
    private final GatewayClient client;
    private final ObjectStore scratch;
    private final Manifest base;
    private final WritableCatalogManager catalogs;
    private final List<ContentHash> dataObjects = new ArrayList<>();
    private CatalogCommit result;

    private TestPublisher(GatewayClient client, ObjectStore scratch, Manifest base, WritableCatalogManager catalogs) {
        this.client = client;
        this.scratch = scratch;
        this.base = base;
        this.catalogs = catalogs;
    }

    /** Starts from the head {@code gateway} serves for {@code repository} now. */
    public static TestPublisher start(URI gateway, GatewayKey key, String repository, Path workDir) {
        URI served = gateway.resolve("/cvmfs/" + repository);
        HttpRepositorySource source = new HttpRepositorySource(served);
        Manifest head = SignedManifest.parse(source.fetchRootFile(".cvmfspublished")).manifest();
        return startFrom(gateway, key, source, head, workDir);
    }

    /** Starts from {@code base}, which may be older than the head (a stale publisher). */
    public static TestPublisher startFrom(URI gateway, GatewayKey key, HttpRepositorySource source, Manifest base,
                                          Path workDir) {
        try {
            Files.createDirectories(workDir);
            Path dir = Files.createTempDirectory(workDir, "publisher.");
            ObjectStore scratch = new ObjectStore(dir.resolve("store"));
            scratch.createSkeleton();
            GatewayClient client = new GatewayClient(gateway.resolve("/api/v1"), key, Duration.ofMinutes(2),
                    "cvmfs/2.12.0");
            return new TestPublisher(client, scratch, base,
                    WritableCatalogManager.open(source, base.rootCatalog(), dir.resolve("tmp")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public GatewayClient client() {
        return client;
    }

    public Manifest base() {
        return base;
    }

    public TestPublisher directory(String path) {
        catalogs.addDirectory(RepositoryPath.of(path), DirectoryEntry.directory(name(path), 0755).mtime(1795582800L)
                .build());
        return this;
    }

    public TestPublisher file(String path, String content) {
        byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
        ContentHash hash = scratch.putCompressed(bytes, HashAlgorithm.SHA1, ObjectSuffix.NONE);
        dataObjects.add(hash);
        DirectoryEntry entry = DirectoryEntry.regularFile(name(path), 0644, bytes.length, hash).mtime(1795582800L).build();
        RepositoryPath p = RepositoryPath.of(path);
        if (catalogs.lookup(p).isPresent()) {
            catalogs.replaceFile(p, entry, List.of());
        } else {
            catalogs.addFile(p, entry, List.of());
        }
        return this;
    }

    public TestPublisher remove(String path) {
        catalogs.remove(RepositoryPath.of(path));
        return this;
    }

    /** Writes the new catalogs; the publisher's new root is then known. */
    public CatalogCommit finish(Clock clock) {
        result = catalogs.commit(scratch, HashAlgorithm.SHA1, clock);
        return result;
    }

    public GatewayReply acquire(String leasePath) {
        return client.acquire(LeasePath.parse(leasePath), "vm");
    }

    public GatewayReply uploadData(String token) {
        return upload(token, dataObjects);
    }

    public GatewayReply uploadCatalogs(String token) {
        return upload(token, result.catalogs());
    }

    public GatewayReply commit(String token, String tagName) {
        return client.commit(token, CommitRequest.of(base.rootCatalog(), result.rootHash(), tagName, ""));
    }

    /** Data, catalogs, commit: what {@code cvmfs_server publish} sends after the edits. */
    public GatewayReply publish(String token, Clock clock) {
        finish(clock);
        requireOk(uploadData(token));
        requireOk(uploadCatalogs(token));
        return commit(token, "generic-2026-11-25T05:00:00Z");
    }

    public static GatewayReply requireOk(GatewayReply reply) {
        if (!reply.isOk()) {
            throw new AssertionError("gateway refused: " + reply.toWire());
        }
        return reply;
    }

    private GatewayReply upload(String token, List<ContentHash> objects) {
        if (objects.isEmpty()) {
            return GatewayReply.ok();
        }
        ObjectPackWriter pack = new ObjectPackWriter();
        for (ContentHash hash : objects) {
            Path file = scratch.pathOf(hash);
            try {
                if (!pack.add(hash, Files.size(file), ObjectPackWriter.ObjectSource.ofFile(file))) {
                    throw new IllegalStateException("test pack is full");
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return client.submitPayload(token, pack);
    }

    private static String name(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    @Override
    public void close() {
        catalogs.close();
    }
}
