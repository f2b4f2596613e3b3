package org.cvmfs.suite.server.publish;

import static org.cvmfs.suite.server.publish.PublisherContext.display;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.manifest.Manifest;

/**
 * {@code cvmfs_server publish}: what changed in the working tree of an open transaction becomes
 * objects and catalogs uploaded in packs, then the commit. What changed is, for a copy, the
 * whole working tree scanned against its snapshot; for an overlay, its upper layer alone
 * ({@link UpperChanges}), which is folded into the lower tree once the commit landed
 * ({@link UpperFold}). Both give one {@link ChangeSet} to one {@link PublicationBuilder}. The phases in the spool make it
 * resumable: OPEN → PUBLISHING (scan, process, upload; a killed attempt is redone from the
 * working tree) → COMMITTING (the new root catalog recorded before the commit is sent; a retry
 * finds out whether the commit landed, see {@link LandedCommit}) → no state (done). While it
 * runs, a mounted working tree (overlay or bind mount) is read-only, so that what is scanned is
 * what is published.
 */
public final class TransactionPublication {
    private final PublisherContext context;

    public TransactionPublication(PublisherContext context) {
        this.context = context;
    }

    public Published publish(Optional<String> tag, Optional<String> description) {
        PublisherSpool spool = context.spool();
        TransactionState state = spool.load().orElseThrow(() -> new PublisherException(PublisherException.FAILED,
                "repository " + context.settings().repository() + " is not in a transaction"));
        GatewayCommit commit = new GatewayCommit(context);
        String tagName = commit.tagName(tag);
        if (state.workTree() == TransactionState.WorkTree.OVERLAY) {
            // a transaction opened by an earlier version: its lower tree moves to its lease path's place
            LowerTree.adoptFormerTree(spool);
        }
        switch (state.phase()) {
            case LEASED -> throw new PublisherException(PublisherException.FAILED, "the transaction on "
                    + display(state.leasePath()) + " was not completely opened; run transaction again or abort");
            case COMMITTING -> {
                long revision = new LandedCommit(context).finish(state, tagName, description.orElse(""));
                finishLanded(state, revision, new PhaseTimes());
                return new Published(revision, state.newRootCatalog().orElseThrow(), 0, 0, 0);
            }
            default -> {
                context.mount().ifPresent(m -> m.makeReadOnly(state.leasePath()));
                try {
                    return publishChanges(state, commit, tagName, description.orElse(""));
                } catch (RuntimeException e) {
                    context.mount().ifPresent(m -> m.makeWritable(state.leasePath()));
                    throw e;
                }
            }
        }
    }

    private Published publishChanges(TransactionState state, GatewayCommit commit, String tagName, String description) {
        PublisherSpool spool = context.spool();
        PhaseTimes phases = new PhaseTimes();
        TransactionState publishing = state.withPhase(TransactionState.Phase.PUBLISHING);
        spool.save(publishing);
        boolean overlay = state.workTree() == TransactionState.WorkTree.OVERLAY;
        TreeSnapshot before = overlay ? null : TreeSnapshotFile.read(spool.snapshotFile());
        TreeSnapshot now = overlay ? null
                : TreeSnapshot.take(spool.workTree(), state.leasePath(), context.clockProbe(), Map.of());
        Path contentTree = overlay ? spool.upperTree() : spool.workTree();
        try (WritableCatalogManager base = WritableCatalogManager.open(context.cache(), state.baseRootCatalog(),
                context.tmp("catalogs"));
             ChangeSet changes = overlay ? upperChanges(state, base) : ChangeSet.compute(before, now.tree())) {
            context.say("Processing changes... (" + changes.additions().size() + " added, "
                    + changes.modifications().size() + " modified, " + changes.removals().size() + " removed)");
            phases.end("scan");
            PublicationBuilder.Built built;
            long uploaded;
            try (PayloadUpload upload = new PayloadUpload(context, state.sessionToken())) {
                built = PublicationBuilder.build(base, changes, contentTree, upload.processor(), upload.catalogStore(),
                        context.clock(), phases, !overlay);
                uploaded = upload.finish();
            }
            phases.end("upload");
            TransactionState committing = publishing.committing(built.commit().rootHash());
            spool.save(committing);
            long revision = commit.send(committing, tagName, description);
            phases.end("commit");
            if (!overlay) {
                TreeSnapshotFile.write(spool.snapshotFile(), nextSnapshot(before, now, changes, built));
                phases.end("snapshot");
            }
            finishLanded(state, revision, phases);
            context.say(phases.line());
            return new Published(revision, built.commit().rootHash(), built.filesProcessed(), built.bytesProcessed(),
                    uploaded);
        }
    }

    /** The change set of an overlay; the files of one a killed attempt left behind go first. */
    private ChangeSet upperChanges(TransactionState state, WritableCatalogManager base) {
        PublisherSpool spool = context.spool();
        Path logs = context.tmp("changes");
        DirectoryTree.delete(logs);
        return UpperChanges.compute(spool.upperTree(), spool.lowerTree(state.leasePath()), state.leasePath(),
                base.holds(state.leasePath()), logs);
    }

    /**
     * After the commit landed (sent now, or found landed on a retry): the working tree unmounted,
     * an overlay's upper layer folded into its lower tree, the transaction forgotten.
     */
    private void finishLanded(TransactionState state, long revision, PhaseTimes phases) {
        context.mount().ifPresent(m -> m.unmount(state.leasePath()));
        phases.end("unmount");
        if (state.workTree() == TransactionState.WorkTree.OVERLAY) {
            new UpperFold(context.spool()).fold(state.leasePath(), state.baseRootCatalog(), landedRoot(revision));
            phases.end("fold");
        }
        context.spool().clear();
    }

    /**
     * The root catalog of the head our commit made: the gateway merges the committed subtree into
     * its head, so that root is not the one we sent. If the head is still the revision of our
     * commit, its root holds exactly our subtree (the lease kept everyone else out of it), and the
     * lower tree is recorded at it, so that the next transaction finds it current by equality.
     * Otherwise (a later head, no revision in the reply, the head unreadable) none: the lower
     * tree is then left unrecorded, and the next transaction brings it up to date incrementally.
     */
    private Optional<ContentHash> landedRoot(long revision) {
        if (revision < 0) {
            return Optional.empty();
        }
        try {
            Manifest head = context.verifiedHead();
            return head.revision() == revision ? Optional.of(head.rootCatalog()) : Optional.empty();
        } catch (RuntimeException unreadable) {
            // only an optimisation: the next transaction works out the lower tree's state itself
            context.warn("cannot read the new head (" + unreadable.getMessage() + ")");
            return Optional.empty();
        }
    }

    /** The scan just published, with what each regular file holds, for the next transaction. */
    private static TreeSnapshot nextSnapshot(TreeSnapshot before, TreeSnapshot now, ChangeSet changes,
                                             PublicationBuilder.Built built) {
        Set<RepositoryPath> touched = new HashSet<>();
        changes.additions().forEach(e -> touched.add(e.path()));
        changes.modifications().forEach(m -> touched.add(m.path()));
        Map<RepositoryPath, String> contents = new HashMap<>();
        before.contents().forEach((p, id) -> {
            if (!touched.contains(p) && now.tree().get(p).filter(ScannedEntry::isRegular).isPresent()) {
                contents.put(p, id);
            }
        });
        contents.putAll(built.contentIds());
        return new TreeSnapshot(now.tree(), now.stampNanos(), contents);
    }
}
