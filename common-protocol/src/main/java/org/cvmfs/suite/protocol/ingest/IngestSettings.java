package org.cvmfs.suite.protocol.ingest;

import java.util.Objects;
import java.util.Optional;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;

/**
 * How new file content becomes objects: the hash algorithm of the publication, the compression
 * and the chunking policy (empty when {@code CVMFS_USE_FILE_CHUNKING=false}).
 */
public record IngestSettings(HashAlgorithm algorithm, Compression compression, Optional<ChunkDetector> chunking) {
    public IngestSettings {
        Objects.requireNonNull(algorithm, "hash algorithm");
        Objects.requireNonNull(compression, "compression");
        Objects.requireNonNull(chunking, "chunking");
    }

    /** Upstream's defaults: SHA-1, zlib, chunks of 4/8/16 MiB. */
    public static IngestSettings defaults() {
        return new IngestSettings(HashAlgorithm.SHA1, Compression.ZLIB, Optional.of(ChunkDetector.defaults()));
    }

    public IngestSettings withChunking(ChunkDetector detector) {
        return new IngestSettings(algorithm, compression, Optional.of(detector));
    }

    public IngestSettings withoutChunking() {
        return new IngestSettings(algorithm, compression, Optional.empty());
    }
}
