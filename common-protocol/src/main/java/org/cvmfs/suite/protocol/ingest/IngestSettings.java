package org.cvmfs.suite.protocol.ingest;

import java.util.Objects;
import java.util.Optional;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;

/**
 * How new file content becomes objects: the hash algorithm of the publication, the compression,
 * the chunking policy (empty when {@code CVMFS_USE_FILE_CHUNKING=false}) and the library that
 * writes zlib streams.
 */
public record IngestSettings(HashAlgorithm algorithm, Compression compression, Optional<ChunkDetector> chunking,
                             DeflateLibrary deflateLibrary) {
    public IngestSettings {
        Objects.requireNonNull(algorithm, "hash algorithm");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(chunking, "chunking");
        Objects.requireNonNull(deflateLibrary, "deflate library");
    }

    /** zlib streams written by zlib, as upstream's are. */
    public IngestSettings(HashAlgorithm algorithm, Compression compression, Optional<ChunkDetector> chunking) {
        this(algorithm, compression, chunking, DeflateLibrary.ZLIB);
    }

    /** Whether file content is compressed by libdeflate here: asked for, zlib streams, and libdeflate found. */
    boolean libdeflateHere() {
        return compression == Compression.ZLIB && deflateLibrary == DeflateLibrary.LIBDEFLATE
                && deflateLibrary.availableHere();
    }

    /** Upstream's defaults: SHA-1, zlib, chunks of 4/8/16 MiB. */
    public static IngestSettings defaults() {
        return new IngestSettings(HashAlgorithm.SHA1, Compression.ZLIB, Optional.of(ChunkDetector.defaults()));
    }

    public IngestSettings withChunking(ChunkDetector detector) {
        return new IngestSettings(algorithm, compression, Optional.of(detector), deflateLibrary);
    }

    public IngestSettings withoutChunking() {
        return new IngestSettings(algorithm, compression, Optional.empty(), deflateLibrary);
    }

    public IngestSettings withDeflateLibrary(DeflateLibrary library) {
        return new IngestSettings(algorithm, compression, chunking, library);
    }
}
