package org.cvmfs.suite.protocol.catalog;

import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * One piece of a chunked regular file (a row of table {@code chunks}): the byte range
 * {@code [offset, offset + size)} of the uncompressed file, stored as object {@code data/...P}.
 */
public record Chunk(long offset, long size, ContentHash hash) {
    public Chunk {
        if (offset < 0) {
            throw new IllegalArgumentException("chunk offset " + offset + " is negative");
        }
        if (size <= 0) {
            throw new IllegalArgumentException("chunk size " + size + " at offset " + offset + " is not positive");
        }
        if (hash == null) {
            throw new IllegalArgumentException("chunk at offset " + offset + " has no hash");
        }
        if (hash.suffix() != ObjectSuffix.PARTIAL) {
            throw new IllegalArgumentException("chunk hash " + hash + " must carry suffix P");
        }
    }

    /**
     * Returns null if {@code chunks} (sorted by offset) covers a file of {@code fileSize} bytes
     * exactly and contiguously from 0 as spec 2.4 requires, otherwise what is wrong.
     */
    public static String listProblem(List<Chunk> chunks, long fileSize) {
        if (chunks.isEmpty()) {
            return "chunked file has no chunks";
        }
        long expected = 0;
        for (Chunk c : chunks) {
            if (c.offset != expected) {
                return "chunk list not contiguous: chunk at offset " + c.offset + ", expected " + expected;
            }
            expected += c.size;
        }
        if (expected != fileSize) {
            return "chunks cover " + expected + " bytes but the file has " + fileSize;
        }
        return null;
    }
}
