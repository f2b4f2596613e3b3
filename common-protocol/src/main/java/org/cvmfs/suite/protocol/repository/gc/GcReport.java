package org.cvmfs.suite.protocol.repository.gc;

import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * What one garbage collection kept and removed (or, in a dry run, would remove).
 *
 * @param keptRootCatalogs root catalogs of the revisions and tags kept, head first
 * @param condemnedRootCatalogs root catalogs listed in the reflog that are no longer kept
 * @param deletedObjects     objects removed from {@code data/}
 * @param deletedBytes       their size on disk
 * @param removedLeftovers   upload leftovers in {@code data/txn} and scratch entries of the spool
 * @param dryRun             nothing was removed
 */
public record GcReport(List<ContentHash> keptRootCatalogs, List<ContentHash> condemnedRootCatalogs,
                       long deletedObjects, long deletedBytes, int removedLeftovers, boolean dryRun) {
    public GcReport {
        keptRootCatalogs = List.copyOf(keptRootCatalogs);
        condemnedRootCatalogs = List.copyOf(condemnedRootCatalogs);
    }

    /** The summary line the CLI and the gateway print. */
    public String summary() {
        return (dryRun ? "would delete " : "deleted ") + deletedObjects + " object(s), " + deletedBytes
                + " bytes; kept " + keptRootCatalogs.size() + " revision(s), condemned "
                + condemnedRootCatalogs.size() + "; removed " + removedLeftovers + " leftover(s)";
    }
}
