package org.cvmfs.suite.protocol.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.hash.PathHash;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Chunks written by upstream 2.12 with the default 4/8/16 MiB settings: rebuilding each file
 * from its {@code P} objects and chunking it again must give the same cut points and
 * byte-identical objects.
 */
class UpstreamChunkingTest {
    @TempDir
    Path tmp;

    @Test
    void bigDatOfTestLocalIsCutWhereUpstreamCutIt() throws Exception {
        Path served = Fixtures.upstreamTestLocal().resolve("served");
        Manifest manifest = Manifest.parseBody(Files.readAllBytes(served.resolve(".cvmfspublished")));
        ObjectStore fixtureStore = new ObjectStore(served);
        byte[] catalog = Zlib.inflate(fixtureStore.readStored(manifest.rootCatalog()), 64 << 20);
        List<Chunk> upstream = new ArrayList<>();
        try (SqliteFile db = SqliteFile.fromBytes(catalog, tmp.resolve("db"), "catalog", false);
             PreparedStatement q = db.prepare(
                     "SELECT offset, size, hash FROM chunks WHERE md5path_1 = ? AND md5path_2 = ? ORDER BY offset")) {
            PathHash path = PathHash.of("/big.dat");
            q.setLong(1, path.high());
            q.setLong(2, path.low());
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    upstream.add(new Chunk(rs.getLong(1), rs.getLong(2),
                            ContentHash.fromBlob(rs.getBytes(3), HashAlgorithm.SHA1, ObjectSuffix.PARTIAL)));
                }
            }
        }
        assertEquals(2, upstream.size());
        assertEquals(9_437_196L, upstream.get(0).size() + upstream.get(1).size());
        assertRechunkedIdentically(fixtureStore, upstream);
    }

    @Test
    void bigTxtOfTheGatewayPublicationIsCutWhereUpstreamCutIt() throws Exception {
        Path fixture = Fixtures.gatewayPublication();
        JsonNode facts = Fixtures.gatewayPublicationFacts();
        List<Chunk> upstream = new ArrayList<>();
        for (JsonNode entry : facts.path("states").path("after-a").path("entries")) {
            if (entry.path("path").asText().equals("/sw/big/big.txt")) {
                for (JsonNode c : entry.path("chunks")) {
                    upstream.add(new Chunk(c.path("offset").asLong(), c.path("size").asLong(),
                            ContentHash.parseSuffixed(c.path("hash").asText())));
                }
            }
        }
        assertEquals(List.of(0L, 4_702_280L), upstream.stream().map(Chunk::offset).toList());
        assertEquals(List.of(4_702_280L, 1_589_176L), upstream.stream().map(Chunk::size).toList());
        assertRechunkedIdentically(new ObjectStore(fixture.resolve("after-a")), upstream);
    }

    private void assertRechunkedIdentically(ObjectStore fixtureStore, List<Chunk> upstream) throws Exception {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        for (Chunk c : upstream) {
            byte[] part = Zlib.inflate(fixtureStore.readStored(c.hash()), c.size());
            assertEquals(c.size(), part.length);
            content.write(part);
        }
        long size = content.size();
        Path file = tmp.resolve("big");
        Files.write(file, content.toByteArray());
        ProcessedContent expected = ProcessedContent.ofChunks(size, HashAlgorithm.SHA1, Compression.ZLIB, upstream);

        ObjectStore ours = new ObjectStore(tmp.resolve("repo"));
        try (ContentProcessor processor = new ContentProcessor(IngestSettings.defaults(),
                new ObjectStoreSink(ours), 2, tmp.resolve("spill"))) {
            assertEquals(expected, ContentProcessor.await(processor.submit(file)));
            try (InputStream in = Files.newInputStream(file)) {
                assertEquals(expected, processor.process(in, file.toString()));
            }
        }
        for (Chunk c : upstream) {
            assertArrayEquals(fixtureStore.readStored(c.hash()), ours.readStored(c.hash()),
                    "stored bytes of " + c.hash());
        }
    }
}
