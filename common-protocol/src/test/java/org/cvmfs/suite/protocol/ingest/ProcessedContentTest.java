package org.cvmfs.suite.protocol.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.junit.jupiter.api.Test;

class ProcessedContentTest {
    private static final ContentHash P1 = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {1}, ObjectSuffix.PARTIAL);
    private static final ContentHash P2 = ContentHash.compute(HashAlgorithm.SHA1, new byte[] {2}, ObjectSuffix.PARTIAL);

    @Test
    void acceptsAContiguousChunkList() {
        ProcessedContent c = ProcessedContent.ofChunks(30, HashAlgorithm.SHA1, Compression.ZLIB,
                List.of(new Chunk(0, 10, P1), new Chunk(10, 20, P2)));
        assertEquals(List.of(P1, P2), c.objects());
    }

    @Test
    void refusesBrokenChunkLists() {
        assertRefused("at least 2", 10, List.of(new Chunk(0, 10, P1)));
        assertRefused("expected 10", 30, List.of(new Chunk(0, 10, P1), new Chunk(11, 19, P2)));
        assertRefused("cover 30 bytes but the file has 31", 31, List.of(new Chunk(0, 10, P1), new Chunk(10, 20, P2)));
        assertRefused("expected 0", 30, List.of(new Chunk(5, 10, P1), new Chunk(15, 15, P2)));
        ContentHash shake = ContentHash.compute(HashAlgorithm.SHAKE128, new byte[] {3}, ObjectSuffix.PARTIAL);
        assertRefused("not a SHA1", 30, List.of(new Chunk(0, 10, P1), new Chunk(10, 20, shake)));
    }

    @Test
    void refusesBadChunksAndBulkObjects() {
        assertThrows(IllegalArgumentException.class, () -> new Chunk(0, 0, P1));
        assertThrows(IllegalArgumentException.class, () -> new Chunk(-1, 4, P1));
        assertThrows(IllegalArgumentException.class, () -> new Chunk(0, 4, P1.withSuffix(ObjectSuffix.NONE)));
        assertThrows(IllegalArgumentException.class, () -> ProcessedContent.ofBulk(1, Compression.ZLIB, P1));
        assertThrows(IllegalArgumentException.class, () -> new ProcessedContent(1, HashAlgorithm.SHA1,
                Compression.ZLIB, Optional.empty(), List.of()));
    }

    private static void assertRefused(String message, long size, List<Chunk> chunks) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcessedContent.ofChunks(size, HashAlgorithm.SHA1, Compression.ZLIB, chunks));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }
}
