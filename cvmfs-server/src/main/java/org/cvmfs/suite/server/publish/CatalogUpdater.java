package org.cvmfs.suite.server.publish;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;

/**
 * Writes a {@link ChangeSet} into the catalogs: removals (a removed directory takes its whole
 * subtree, nested catalogs included), then modifications, then additions, parents first.
 * Catalog markers switch nested catalogs on and off through the catalog manager, as in an
 * upstream publication. Rows are built from what {@code lstat} saw, except that an entry whose
 * owner did not change in the working tree keeps its owner from the catalog: a publisher that
 * is not root cannot give files away, and must not take them over either. Hard links become
 * independent entries (linkcount 1), which is how the gateway stores them anyway.
 */
public final class CatalogUpdater {
    private CatalogUpdater() {
    }

    /**
     * @param content processed content of every file in {@link ChangeSet#contentToProcess()},
     *                by file identity (so hard links share it)
     */
    public static void apply(WritableCatalogManager catalogs, ChangeSet changes,
                             Map<ScannedEntry.FileKey, ProcessedContent> content) {
        apply(catalogs, changes, key -> {
            ProcessedContent c = content.get(key);
            if (c == null) {
                throw new IllegalStateException("no processed content for file " + key);
            }
            return c;
        });
    }

    /**
     * As above, with the content asked for file by file in the order rows are written, so that
     * a caller may still be processing the files further down.
     */
    public static void apply(WritableCatalogManager catalogs, ChangeSet changes,
                             Function<ScannedEntry.FileKey, ProcessedContent> content) {
        Set<RepositoryPath> removed = new HashSet<>();
        changes.removals().forEach(e -> removed.add(e.path()));
        for (ScannedEntry gone : changes.removals()) {
            if (gone.path().isRoot() || !removed.contains(gone.path().parent())) {
                catalogs.remove(gone.path());
            }
        }
        for (ChangeSet.Modification m : changes.modifications()) {
            ScannedEntry now = m.after();
            DirectoryEntry base = catalogs.lookup(now.path()).orElseThrow(() -> new IllegalStateException(
                    "the catalogs lost " + now.path() + ", which the working tree was made from"));
            boolean ownerKept = m.before().uid() == now.uid() && m.before().gid() == now.gid();
            DirectoryEntry entry = entry(now, content, ownerKept ? base.uid() : now.uid(), ownerKept ? base.gid() : now.gid());
            switch (now.kind()) {
                case DIRECTORY -> catalogs.setAttributes(now.path(), entry);
                case SYMLINK -> catalogs.replaceFile(now.path(), entry, List.of());
                case REGULAR -> catalogs.replaceFile(now.path(), entry, chunks(now, content));
                default -> throw new IllegalStateException("cannot publish a " + now.kind() + " at " + now.path());
            }
        }
        for (ScannedEntry added : changes.additions()) {
            DirectoryEntry entry = entry(added, content, added.uid(), added.gid());
            switch (added.kind()) {
                case DIRECTORY -> catalogs.addDirectory(added.path(), entry);
                case SYMLINK -> catalogs.addSymlink(added.path(), entry);
                case REGULAR -> catalogs.addFile(added.path(), entry, chunks(added, content));
                default -> throw new IllegalStateException("cannot publish a " + added.kind() + " at " + added.path());
            }
        }
    }

    private static DirectoryEntry entry(ScannedEntry e, Function<ScannedEntry.FileKey, ProcessedContent> content,
                                        long uid, long gid) {
        String name = e.path().name();
        return switch (e.kind()) {
            case DIRECTORY -> CatalogEntries.directory(name, e.mode(), e.size(), e.mtimeSeconds(), uid, gid);
            case SYMLINK -> CatalogEntries.symlink(name, e.symlinkTarget(), e.mtimeSeconds(), uid, gid);
            case REGULAR -> CatalogEntries.file(name, e.mode(), processed(e, content), e.mtimeSeconds(), uid, gid);
            default -> throw new IllegalStateException("cannot publish a " + e.kind() + " at " + e.path());
        };
    }

    private static List<Chunk> chunks(ScannedEntry e, Function<ScannedEntry.FileKey, ProcessedContent> content) {
        return processed(e, content).chunks();
    }

    private static ProcessedContent processed(ScannedEntry e, Function<ScannedEntry.FileKey, ProcessedContent> content) {
        return content.apply(e.fileKey());
    }
}
