package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.store.MissingObjectException;

/**
 * Keeps the spool's lower tree (the read-only layer of an overlay transaction) equal to the
 * leased subtree of the head, touching it only when that subtree changed. Deciding costs a few
 * catalog look-ups, never a walk of the tree: the record names the root catalog the tree was
 * made from; the same root, or the same catalog holding the subtree (the innermost catalog
 * whose mountpoint is the lease path or above it: its hash covers every row and every nested
 * catalog below), means the tree is current. Otherwise {@link Materializer} brings it up to
 * date incrementally, trusting its last snapshot; the record is forgotten before the first
 * change and written after the last, so an interrupted run is redone. It also lays the empty
 * upper layer over it for the next transaction ({@link #freshUpper}).
 */
final class LowerTree {
    private final ObjectCache cache;
    private final PublisherSpool spool;
    private final Path catalogScratch;

    /** What an opening did: whether the tree had to change, and Materializer's figures if so. */
    record Outcome(boolean materialized, int filesWritten, int filesKept) {
    }

    LowerTree(ObjectCache cache, PublisherSpool spool, Path catalogScratch) {
        this.cache = cache;
        this.spool = spool;
        this.catalogScratch = catalogScratch;
    }

    Outcome bringUpToDate(ContentHash head, RepositoryPath leasePath, int threads, Consumer<String> warnings,
                          Path clockProbe) {
        LowerRecord record = new LowerRecord(spool.lowerRecordFile());
        Optional<LowerRecord.Current> recorded = record.current().filter(c -> c.leasePath().equals(leasePath))
                .filter(c -> Files.isDirectory(spool.lowerTree()));
        if (recorded.isPresent() && recorded.get().root().equals(head)) {
            return new Outcome(false, 0, 0);
        }
        Materializer.Result result;
        try (CatalogHierarchy catalogs = CatalogHierarchy.open(cache, head, catalogScratch)) {
            if (recorded.isPresent() && sameSubtreeCatalog(recorded.get().root(), catalogs, leasePath)) {
                record.current(head, leasePath);
                return new Outcome(false, 0, 0);
            }
            record.forget();
            TreeSnapshot previous = TreeSnapshotFile.readOrEmpty(spool.lowerSnapshotFile(), leasePath, warnings);
            result = new Materializer(cache, threads, warnings)
                    .materialize(catalogs, leasePath, spool.lowerTree(), previous, clockProbe);
        }
        TreeSnapshotFile.write(spool.lowerSnapshotFile(), result.snapshot());
        record.current(head, leasePath);
        return new Outcome(true, result.filesWritten(), result.filesKept());
    }

    /**
     * Whether both roots keep the lease path's subtree in the same catalog. The recorded root is
     * an older head, which garbage collection may have swept from the Stratum-0 (and that this
     * host may never have fetched): then the answer is no, and the tree is brought up to date.
     */
    private boolean sameSubtreeCatalog(ContentHash recorded, CatalogHierarchy head, RepositoryPath leasePath) {
        try {
            return subtreeCatalog(recorded, leasePath).equals(head.catalogHashFor(leasePath));
        } catch (MissingObjectException swept) {
            return false;
        }
    }

    /** The hash of the innermost catalog holding {@code leasePath}'s subtree under root catalog {@code root}. */
    private ContentHash subtreeCatalog(ContentHash root, RepositoryPath leasePath) {
        try (CatalogHierarchy catalogs = CatalogHierarchy.open(cache, root, catalogScratch)) {
            return catalogs.catalogHashFor(leasePath);
        }
    }


    /** Empties the upper layer and the overlay's scratch, and gives the upper root the lower root's attributes. */
    void freshUpper() {
        try {
            DirectoryTree.delete(spool.upperTree());
            DirectoryTree.delete(spool.overlayScratch());
            Files.createDirectories(spool.upperTree());
            Files.createDirectories(spool.overlayScratch());
            OverlayEntries.copyAttributes(spool.lowerTree(), spool.upperTree());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the overlay's upper layer in " + spool.upperTree(), e);
        }
    }
}
