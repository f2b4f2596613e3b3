package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.store.MissingObjectException;

/**
 * Keeps the spool's lower trees (the read-only layer of an overlay transaction), one per lease
 * path, each equal to the leased subtree of the head, touching one only when that subtree changed.
 * Deciding costs a few catalog look-ups, never a walk of the tree: a tree's record names the root
 * catalog it was made from; the same root, or the same catalog holding the subtree (the innermost
 * catalog whose mountpoint is the lease path or above it: its hash covers every row and every
 * nested catalog below), means the tree is current. Otherwise {@link Materializer} brings it up to
 * date incrementally, trusting its last snapshot; the record is forgotten before the first change
 * and written after the last, so an interrupted run is redone. It also lays the empty upper layer
 * over it for the next transaction ({@link #freshUpper}).
 *
 * <p>One tree per lease path, not one for all: a host whose transactions alternate between
 * paths (Conveyor jobs, one path per job) would otherwise rewrite the whole subtree at each
 * switch. At most {@value #KEPT} are kept: opening a transaction removes the trees used least
 * recently beyond them (a tree's directory time is its last use), each first renamed into
 * {@code lowers/.removed-*}, so that a tree is either whole with its record or gone, whatever
 * instant a crash hits; leftovers of such removals are removed too. The single tree of earlier
 * versions is taken over as its lease path's ({@link #adoptFormerTree}). {@code LowerTreeCrashTest}
 * kills a {@code cvmfs_server transaction} at each of these steps ({@link LowerTreeStep}).
 */
final class LowerTree {
    /** Lower trees kept at most: the current one and the most recently used others. */
    static final int KEPT = 4;
    private static final String REMOVED = ".removed-";

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
        tidy(leasePath);
        LowerRecord record = new LowerRecord(spool.lowerRecordFile(leasePath));
        Optional<LowerRecord.Current> recorded = record.current().filter(c -> c.leasePath().equals(leasePath))
                .filter(c -> Files.isDirectory(spool.lowerTree(leasePath)));
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
            TreeSnapshot previous = TreeSnapshotFile.readOrEmpty(spool.lowerSnapshotFile(leasePath), leasePath, warnings);
            result = new Materializer(cache, threads, warnings)
                    .materialize(catalogs, leasePath, spool.lowerTree(leasePath), previous, clockProbe);
        }
        TreeSnapshotFile.write(spool.lowerSnapshotFile(leasePath), result.snapshot());
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


    /**
     * Takes over the lower tree of earlier versions, marks {@code leasePath}'s tree as just used,
     * then removes the trees of other paths beyond the {@value #KEPT} most recently used and
     * leftovers of removals cut short.
     */
    private void tidy(RepositoryPath leasePath) {
        adoptFormerTree(spool);
        Path trees = spool.lowerTrees();
        Path mine = spool.lowerTreeDirectory(leasePath);
        try {
            Files.createDirectories(mine);
            Files.setLastModifiedTime(mine, FileTime.from(Instant.now()));
            List<Path> others = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(trees)) {
                for (Path entry : entries) {
                    if (entry.getFileName().toString().startsWith(REMOVED)) {
                        DirectoryTree.delete(entry);
                    } else if (!entry.equals(mine)) {
                        others.add(entry);
                    }
                }
            }
            others.sort(Comparator.comparing(LowerTree::lastUse).reversed());
            for (Path unused : others.subList(Math.min(others.size(), KEPT - 1), others.size())) {
                Path removed = trees.resolve(REMOVED + unused.getFileName());
                Files.move(unused, removed, StandardCopyOption.ATOMIC_MOVE);
                LowerTreeStep.TREE_SET_ASIDE.reached();
                DirectoryTree.delete(removed);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tidy the lower trees in " + trees, e);
        }
    }

    /**
     * Takes over the single lower tree of earlier versions ({@code publisher/lower}, with
     * {@code lower.record} and {@code lower.snapshot}) as the tree of the lease path its record
     * names: snapshot, tree, then record renamed into that path's directory, the record last, so
     * that a run cut short is finished by the next one (each rename only if its source is still
     * there). A tree without a current record holds nothing to keep and is removed. Safe while an
     * overlay transaction opened by an earlier version is mounted on it: the mount follows the
     * renamed directory.
     */
    static void adoptFormerTree(PublisherSpool spool) {
        Path former = spool.formerLowerTree();
        Path formerRecord = former.resolveSibling("lower.record");
        Path formerSnapshot = former.resolveSibling("lower.snapshot");
        Optional<LowerRecord.Current> recorded = new LowerRecord(formerRecord).current();
        try {
            if (recorded.isPresent()) {
                RepositoryPath leasePath = recorded.get().leasePath();
                Files.createDirectories(spool.lowerTreeDirectory(leasePath));
                moveIfPresent(formerSnapshot, spool.lowerSnapshotFile(leasePath));
                LowerTreeStep.SNAPSHOT_TAKEN_OVER.reached();
                moveIfPresent(former, spool.lowerTree(leasePath));
                LowerTreeStep.TREE_TAKEN_OVER.reached();
                moveIfPresent(formerRecord, spool.lowerRecordFile(leasePath));
            } else if (Files.exists(former, LinkOption.NOFOLLOW_LINKS) || Files.exists(formerRecord)) {
                Files.deleteIfExists(formerRecord);
                Files.deleteIfExists(formerSnapshot);
                DirectoryTree.delete(former);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot take over the lower tree " + former, e);
        }
    }

    private static void moveIfPresent(Path from, Path to) throws IOException {
        if (Files.exists(from, LinkOption.NOFOLLOW_LINKS)) {
            DirectoryTree.delete(to);
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private static FileTime lastUse(Path treeDirectory) {
        try {
            return Files.getLastModifiedTime(treeDirectory, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException gone) {
            return FileTime.fromMillis(0);
        }
    }

    /**
     * Empties the upper layer and the overlay's scratch, and gives the upper root the attributes of
     * {@code leasePath}'s lower root.
     */
    void freshUpper(RepositoryPath leasePath) {
        try {
            DirectoryTree.delete(spool.upperTree());
            DirectoryTree.delete(spool.overlayScratch());
            Files.createDirectories(spool.upperTree());
            Files.createDirectories(spool.overlayScratch());
            OverlayEntries.copyAttributes(spool.lowerTree(leasePath), spool.upperTree());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the overlay's upper layer in " + spool.upperTree(), e);
        }
    }
}
