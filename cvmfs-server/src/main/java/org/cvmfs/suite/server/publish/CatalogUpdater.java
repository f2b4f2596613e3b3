package org.cvmfs.suite.server.publish;

import java.util.List;
import java.util.function.Function;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;

/**
 * Writes a {@link ChangeSet} into the catalogs: removals (a removed directory takes its whole
 * subtree, nested catalogs included, so only each removed subtree's root is removed), then
 * modifications, then additions, parents first.
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
     * @param content the processed content of a regular file, asked for once per row, in the
     *                order of {@link ChangeSet#contentToProcess()} (a hard link's further names
     *                ask again), so that a caller may still be processing the files further on
     */
    public static void apply(WritableCatalogManager catalogs, ChangeSet changes,
                             Function<ScannedEntry, ProcessedContent> content) {
        RepositoryPath subtree = null;
        for (ScannedEntry gone : changes.removals()) {
            // a removed subtree's root comes first; removing it removes what follows below it
            if (subtree == null || !gone.path().isSameOrUnder(subtree)) {
                catalogs.remove(gone.path());
                subtree = gone.path();
            }
        }
        for (ChangeSet.Modification m : changes.modifications()) {
            ScannedEntry now = m.after();
            DirectoryEntry base = catalogs.lookup(now.path()).orElseThrow(() -> new IllegalStateException(
                    "the catalogs lost " + now.path() + ", which the working tree was made from"));
            boolean ownerKept = m.before().uid() == now.uid() && m.before().gid() == now.gid();
            long uid = ownerKept ? base.uid() : now.uid();
            long gid = ownerKept ? base.gid() : now.gid();
            switch (now.kind()) {
                case DIRECTORY -> catalogs.setAttributes(now.path(), directory(now, uid, gid));
                case SYMLINK -> catalogs.replaceFile(now.path(), symlink(now, uid, gid), List.of());
                case REGULAR -> {
                    ProcessedContent c = content.apply(now);
                    catalogs.replaceFile(now.path(), file(now, c, uid, gid), c.chunks());
                }
                default -> throw new IllegalStateException("cannot publish a " + now.kind() + " at " + now.path());
            }
        }
        for (ScannedEntry added : changes.additions()) {
            switch (added.kind()) {
                case DIRECTORY -> catalogs.addDirectory(added.path(), directory(added, added.uid(), added.gid()));
                case SYMLINK -> catalogs.addSymlink(added.path(), symlink(added, added.uid(), added.gid()));
                case REGULAR -> {
                    ProcessedContent c = content.apply(added);
                    catalogs.addFile(added.path(), file(added, c, added.uid(), added.gid()), c.chunks());
                }
                default -> throw new IllegalStateException("cannot publish a " + added.kind() + " at " + added.path());
            }
        }
    }

    private static DirectoryEntry directory(ScannedEntry e, long uid, long gid) {
        return CatalogEntries.directory(e.path().name(), e.mode(), e.size(), e.mtimeSeconds(), uid, gid);
    }

    private static DirectoryEntry symlink(ScannedEntry e, long uid, long gid) {
        return CatalogEntries.symlink(e.path().name(), e.symlinkTarget(), e.mtimeSeconds(), uid, gid);
    }

    private static DirectoryEntry file(ScannedEntry e, ProcessedContent content, long uid, long gid) {
        return CatalogEntries.file(e.path().name(), e.mode(), content, e.mtimeSeconds(), uid, gid);
    }
}
