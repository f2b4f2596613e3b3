package org.cvmfs.suite.server.publish;

import static org.cvmfs.suite.server.publish.PublisherContext.display;

import java.time.Duration;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.manifest.Manifest;

/**
 * {@code cvmfs_server transaction REPO/PATH}: a lease on the subtree, recorded in the spool as
 * {@link TransactionState.Phase#LEASED}, then the working tree brought to the head's content of
 * the subtree and the phase set to {@link TransactionState.Phase#OPEN}. Where overlays can be
 * mounted (root, as upstream's publisher), the working tree is an overlay whose lower tree is
 * kept across transactions ({@link LowerTree}): opening touches nothing when the subtree did not
 * change, whatever its size. Elsewhere it is a copy in the spool, kept incrementally. A transaction whose
 * materialisation was interrupted is resumed by running the command again; the lease is never
 * acquired twice.
 */
public final class TransactionOpener {
    private final PublisherContext context;

    public TransactionOpener(PublisherContext context) {
        this.context = context;
    }

    /** Acquires the lease (retrying while busy for {@code retryFor}, forever if zero) and fills the working tree. */
    public TransactionState open(RepositoryPath leasePath, Optional<Duration> retryFor) {
        PhaseTimes phases = new PhaseTimes();
        PublisherSpool spool = context.spool();
        TransactionState state = spool.load().orElse(null);
        if (state != null && (state.phase() != TransactionState.Phase.LEASED || !state.leasePath().equals(leasePath))) {
            throw new PublisherException(PublisherException.FAILED, "repository " + context.settings().repository()
                    + " is already in a transaction on " + display(state.leasePath()) + " (" + state.phase()
                    + "); publish or abort it first");
        }
        if (state == null) {
            forgetInterruptedLease(spool);
            state = lease(leasePath, retryFor);
        }
        phases.end("lease");
        Optional<WorkTreeMount> overlay = context.overlayMount();
        phases.end("probe");
        TransactionState open = overlay.isPresent() ? openOverlay(state, overlay.get(), phases) : openCopy(state, phases);
        spool.save(open);
        phases.end("state");
        context.say(phases.line());
        return open;
    }

    /**
     * The lower tree brought to the head's subtree only if it changed (usually nothing to do),
     * an empty upper layer, the overlay mounted at {@code /cvmfs/REPO/PATH}. A killed opening
     * may have mounted already: unmounted first, since the layers must not change under a mount.
     */
    private TransactionState openOverlay(TransactionState state, WorkTreeMount mount, PhaseTimes phases) {
        RepositoryPath leasePath = state.leasePath();
        PublisherSpool spool = context.spool();
        mount.unmount(leasePath);
        LowerTree lower = new LowerTree(context.cache(), spool, context.tmp("catalogs"));
        LowerTree.Outcome outcome = lower.bringUpToDate(state.baseRootCatalog(), leasePath,
                context.settings().fetchThreads(), context::warn, context.clockProbe());
        phases.end("lower tree");
        lower.freshUpper(leasePath);
        mount.mountOverlay(spool.lowerTree(leasePath), spool.upperTree(), spool.overlayScratch(), leasePath);
        phases.end("mount");
        context.say(String.format("Transaction on %s%s open in %s (revision %d; overlay of the cached tree, %s)",
                context.settings().repository(), leasePath, mount.mountpoint(leasePath), state.baseRevision(),
                outcome.materialized() ? outcome.filesWritten() + " files fetched, " + outcome.filesKept() + " kept"
                        : "already up to date"));
        return state.opened(TransactionState.WorkTree.OVERLAY);
    }

    /** The spool's working tree brought to the head's subtree, bind-mounted where permitted. */
    private TransactionState openCopy(TransactionState state, PhaseTimes phases) {
        RepositoryPath leasePath = state.leasePath();
        PublisherSpool spool = context.spool();
        ObjectCache cache = context.cache();
        TreeSnapshot previous = TreeSnapshotFile.readOrEmpty(spool.snapshotFile(), leasePath, context::warn);
        Materializer.Result result;
        try (CatalogHierarchy catalogs = CatalogHierarchy.open(cache, state.baseRootCatalog(), context.tmp("catalogs"))) {
            result = new Materializer(cache, context.settings().fetchThreads(), context::warn)
                    .materialize(catalogs, leasePath, spool.workTree(), previous, context.clockProbe());
        }
        TreeSnapshotFile.write(spool.snapshotFile(), result.snapshot());
        phases.end("materialise");
        context.mountForTransaction().ifPresent(m -> m.mountWritable(spool.workTree(), leasePath));
        phases.end("mount");
        context.say(String.format("Transaction on %s%s open in %s (revision %d; %d files fetched, %d kept)",
                context.settings().repository(), leasePath, context.editableTree(leasePath), state.baseRevision(),
                result.filesWritten(), result.filesKept()));
        return state.opened(TransactionState.WorkTree.COPY);
    }

    /**
     * A token without a state ({@link PublisherSpool}'s invariant): the lease of a command killed
     * before it recorded it, or one already committed or dropped; it would hold the path busy until
     * it expires, so it is dropped (whatever the gateway answers) and forgotten.
     */
    private void forgetInterruptedLease(PublisherSpool spool) {
        Optional<String> token = spool.loadToken();
        if (token.isPresent()) {
            context.dropQuietly(token.get());
            spool.clear();
            context.warn("dropped the lease an interrupted command left behind");
        }
    }

    /**
     * The lease alone, recorded as {@link TransactionState.Phase#LEASED} on the verified head;
     * dropped again when the head cannot be read or the lease path's parent is not a directory.
     */
    TransactionState lease(RepositoryPath leasePath, Optional<Duration> retryFor) {
        String token = new LeaseAcquirer(context).acquire(leasePath, retryFor);
        try {
            Manifest head = context.verifiedHead();
            // the root directory always exists: only a deeper parent is looked up, which stages
            // the catalogs down to it (0.2 s of a transaction for a root catalog of 50,000 entries)
            if (!leasePath.isRoot() && !leasePath.parent().isRoot()) {
                requireParentDirectory(head.rootCatalog(), leasePath);
            }
            TransactionState state = TransactionState.leased(context.settings().repository(), leasePath, token,
                    head.rootCatalog(), head.revision(), context.clock().instant());
            context.spool().save(state);
            return state;
        } catch (RuntimeException e) {
            context.dropQuietly(token);
            throw e;
        }
    }

    /** Upstream refuses a lease whose parent is not an existing directory, and drops it again. */
    private void requireParentDirectory(ContentHash root, RepositoryPath leasePath) {
        try (CatalogHierarchy catalogs = CatalogHierarchy.open(context.cache(), root, context.tmp("catalogs"))) {
            RepositoryPath parent = leasePath.parent();
            Optional<DirectoryEntry> entry = catalogs.lookup(parent);
            if (entry.isEmpty()) {
                throw new PublisherException(PublisherException.NOT_FOUND, "cannot open a transaction on "
                        + leasePath + ": " + display(parent) + " does not exist");
            }
            if (!entry.get().isDirectory()) {
                throw new PublisherException(PublisherException.NOT_A_DIRECTORY, "cannot open a transaction on "
                        + leasePath + ": " + display(parent) + " is not a directory");
            }
        }
    }
}
