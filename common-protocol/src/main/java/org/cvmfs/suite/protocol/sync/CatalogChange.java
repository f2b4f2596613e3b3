package org.cvmfs.suite.protocol.sync;

import java.util.List;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.NestedCatalogRef;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;

/**
 * One difference between two catalog hierarchies, as the receiver applies it (spec 10, step 3).
 * Entries are the rows the parent directory's catalog lists, so a nested mountpoint appears
 * with its mountpoint flag.
 *
 * @param before the entry in the old hierarchy; null for an addition
 * @param after the entry in the new hierarchy; null for a removal
 * @param chunks chunk list of {@code after} if it is a chunked file, otherwise empty
 * @param nested the new hierarchy's reference when {@code after} is a nested mountpoint, else null
 */
public record CatalogChange(Type type, RepositoryPath path, DirectoryEntry before, DirectoryEntry after,
        List<Chunk> chunks, NestedCatalogRef nested) {
    public enum Type {
        ADDITION,
        REMOVAL,
        MODIFICATION
    }

    public CatalogChange {
        if (type == null || path == null) {
            throw new IllegalArgumentException("a catalog change needs a type and a path");
        }
        if ((before == null) != (type == Type.ADDITION) || (after == null) != (type == Type.REMOVAL)) {
            throw new IllegalArgumentException(type + " of " + path + " with entries before=" + (before != null)
                    + " after=" + (after != null));
        }
        chunks = List.copyOf(chunks);
    }

    static CatalogChange addition(RepositoryPath path, DirectoryEntry after, List<Chunk> chunks, NestedCatalogRef nested) {
        return new CatalogChange(Type.ADDITION, path, null, after, chunks, nested);
    }

    static CatalogChange removal(RepositoryPath path, DirectoryEntry before) {
        return new CatalogChange(Type.REMOVAL, path, before, null, List.of(), null);
    }

    static CatalogChange modification(RepositoryPath path, DirectoryEntry before, DirectoryEntry after,
            List<Chunk> chunks, NestedCatalogRef nested) {
        return new CatalogChange(Type.MODIFICATION, path, before, after, chunks, nested);
    }
}
