package org.cvmfs.suite.server.publish;

import java.util.List;
import java.util.stream.Collectors;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.ingest.Compression;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;

/**
 * What a regular file's catalog row says its content is: the bulk object, or the chunk list.
 * Two rows with the same id describe the same bytes, so a working-tree file known to hold one
 * id need not be fetched again for a row with that id.
 */
public final class ContentId {
    private ContentId() {
    }

    public static String of(DirectoryEntry entry, List<Chunk> chunks) {
        if (!entry.isRegular()) {
            throw new IllegalArgumentException("entry '" + entry.name() + "' is not a regular file");
        }
        if (entry.chunked()) {
            return id(ofChunks(chunks.stream().map(Chunk::hash).toList(), entry.size()), entry.uncompressed());
        }
        if (entry.hash() == null) {
            throw new IllegalArgumentException("regular file '" + entry.name() + "' has neither a hash nor chunks");
        }
        return id(entry.hash().toSuffixedText(), entry.uncompressed());
    }

    public static String of(ProcessedContent content) {
        String body = content.isChunked() ? ofChunks(content.objects(), content.size())
                : content.bulk().orElseThrow().toSuffixedText();
        return id(body, content.compression() == Compression.NONE);
    }

    private static String id(String body, boolean uncompressed) {
        return uncompressed ? body + "/raw" : body;
    }

    private static String ofChunks(List<ContentHash> hashes, long size) {
        return size + ":" + hashes.stream().map(ContentHash::toSuffixedText).collect(Collectors.joining(","));
    }
}
