package org.cvmfs.suite.protocol.ingest;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * What a regular file's catalog row needs once its content is stored: the size, how it was
 * stored, and either one bulk object or a chunk list (at least two chunks, contiguous from 0,
 * covering exactly {@code size} bytes), as {@code swissknife check} demands.
 */
public record ProcessedContent(long size, HashAlgorithm algorithm, Compression compression,
                               Optional<ContentHash> bulk, List<Chunk> chunks) {
    public ProcessedContent {
        Objects.requireNonNull(algorithm, "hash algorithm");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(bulk, "bulk hash");
        chunks = List.copyOf(chunks);
        if (size < 0) {
            throw new IllegalArgumentException("file size must not be negative, got " + size);
        }
        if (bulk.isPresent() == !chunks.isEmpty()) {
            throw new IllegalArgumentException("a file has either a bulk object or chunks, got bulk "
                    + bulk.orElse(null) + " and " + chunks.size() + " chunks");
        }
        bulk.ifPresent(h -> {
            if (h.suffix() != ObjectSuffix.NONE || h.algorithm() != algorithm) {
                throw new IllegalArgumentException("bulk object " + h + " must be a " + algorithm + " hash without suffix");
            }
        });
        if (!chunks.isEmpty()) {
            checkChunkList(size, algorithm, chunks);
        }
    }

    public static ProcessedContent ofBulk(long size, Compression compression, ContentHash bulk) {
        return new ProcessedContent(size, bulk.algorithm(), compression, Optional.of(bulk), List.of());
    }

    public static ProcessedContent ofChunks(long size, HashAlgorithm algorithm, Compression compression,
                                            List<Chunk> chunks) {
        return new ProcessedContent(size, algorithm, compression, Optional.empty(), chunks);
    }

    public boolean isChunked() {
        return !chunks.isEmpty();
    }

    /** Every object this file references: its bulk object or all of its chunks. */
    public List<ContentHash> objects() {
        return bulk.map(List::of).orElseGet(() -> chunks.stream().map(Chunk::hash).toList());
    }

    private static void checkChunkList(long size, HashAlgorithm algorithm, List<Chunk> chunks) {
        if (chunks.size() < 2) {
            throw new IllegalArgumentException("a chunked file needs at least 2 chunks, got " + chunks.size());
        }
        String problem = Chunk.listProblem(chunks, size);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        for (Chunk c : chunks) {
            if (c.hash().algorithm() != algorithm) {
                throw new IllegalArgumentException("chunk " + c.hash() + " is not a " + algorithm + " hash");
            }
        }
    }
}
