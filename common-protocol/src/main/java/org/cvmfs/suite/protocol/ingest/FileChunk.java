package org.cvmfs.suite.protocol.ingest;

import java.util.Objects;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/** One row of a catalog's {@code chunks} table: a byte range of a file and its {@code P} object. */
public record FileChunk(long offset, long size, ContentHash hash) {
    public FileChunk {
        Objects.requireNonNull(hash, "chunk hash");
        if (offset < 0) {
            throw new IllegalArgumentException("chunk offset must not be negative, got " + offset);
        }
        if (size <= 0) {
            throw new IllegalArgumentException("chunk size must be positive, got " + size + " at offset " + offset);
        }
        if (hash.suffix() != ObjectSuffix.PARTIAL) {
            throw new IllegalArgumentException("chunk object " + hash + " lacks the P suffix");
        }
    }
}
