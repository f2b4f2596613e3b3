package org.cvmfs.suite.gateway.commit;

import org.cvmfs.suite.gateway.receiver.Backend;
import org.cvmfs.suite.gateway.receiver.ReceiverException;
import org.cvmfs.suite.gateway.receiver.Receiver;
import org.cvmfs.suite.gateway.receiver.CommitResult;
import org.cvmfs.suite.gateway.receiver.TagSpec;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogException;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.history.HistoryException;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.RepositoryKeys;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.name.RawName;
import org.cvmfs.suite.protocol.repository.HeadMovedException;
import org.cvmfs.suite.protocol.repository.HeadPublisher;
import org.cvmfs.suite.protocol.repository.Publication;
import org.cvmfs.suite.protocol.repository.PublishedManifest;
import org.cvmfs.suite.protocol.repository.RepositoryException;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.sqlite.SqliteException;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.MissingObjectException;
import org.cvmfs.suite.protocol.store.MissingRootFileException;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositoryFetchException;
import org.cvmfs.suite.protocol.sync.CatalogChange;
import org.cvmfs.suite.protocol.sync.CatalogDiff;
import org.cvmfs.suite.protocol.sync.CatalogMerge;
import org.jboss.logging.Logger;

/**
 * The receiver's commit done in this process (spec repository-format 10): the head manifest of
 * the repository's local storage is read and verified with {@code /etc/cvmfs/keys/REPO.pub}, the
 * difference between the publisher's old and new root catalogs inside the lease path is merged
 * onto the head's catalogs, and {@link HeadPublisher} tags, signs with {@code REPO.key}/{@code .crt}
 * and installs the next revision.
 *
 * <p>What a conflict is: like upstream, the change is applied to whatever the head is now; the
 * old root is not compared with the head, since non-overlapping leases and serialised commits
 * keep publishers apart. A change that cannot be applied to the head is refused with
 * {@code merge_error}: removing or modifying a path the head no longer has, adding where the
 * head already has an entry, adding below a directory the head lacks. Nothing is written before
 * the merge has succeeded, so a refused commit leaves the repository as it was.
 *
 * <p>Reasons keep the upstream receiver's categories as prefixes: {@code merge_error} (roots
 * missing, diff or merge impossible) and {@code miscellaneous} (head unreadable or unverifiable,
 * keys, history, signing); anything unforeseen propagates, and the commit service answers it as
 * upstream's {@code runtime error}.
 */
@Singleton
@Backend(GatewayUserConfig.BACKEND_NATIVE)
public class NativeReceiver implements Receiver {
    private static final Logger LOG = Logger.getLogger(NativeReceiver.class);

    private final GatewaySettings settings;
    private final Clock clock;
    private final MeterRegistry metrics;

    @Inject
    public NativeReceiver(GatewaySettings settings, Clock clock, MeterRegistry metrics) {
        this.settings = settings;
        this.clock = clock;
        this.metrics = metrics;
    }

    @Override
    public CommitResult commit(Lease lease, ContentHash oldRoot, ContentHash newRoot, TagSpec tag) {
        RepositoryLayout layout = new RepositoryLayout(settings.host(), lease.repository());
        RepositoryPath leasePath = leasePath(lease);
        try {
            RepositoryKeys keys = layout.keyDirectory().readRepositoryKeys(layout.fqrn());
            List<PublicKey> masterKeys = List.of(layout.keyDirectory().readMasterPublicKey(layout.fqrn()));
            Merge merge = new Merge(lease, layout, leasePath, keys, masterKeys, oldRoot, newRoot, tag);
            try {
                return merge.run();
            } catch (HeadMovedException moved) {
                // another process (cvmfs_server on this host) published in between: merge onto its head
                metrics.counter("cvmfs_gateway_receiver_head_moved").increment();
                LOG.infof("head of %s moved during the commit of %s, merging again: %s", layout.fqrn(),
                        lease.path(), moved.getMessage());
                return merge.run();
            }
        } catch (ReceiverException e) {
            throw e;
        } catch (MissingObjectException | CatalogException | CorruptObjectException e) {
            // a path that is not UTF-8 is shown as \xNN: the reason travels as JSON text
            throw new ReceiverException("merge_error: " + RawName.printable(e.getMessage()), e);
        } catch (UncheckedIOException e) {
            throw new ReceiverException("miscellaneous: " + e.getMessage() + ": " + e.getCause().getMessage(), e);
        } catch (RepositoryException | ManifestException | HistoryException | SqliteException | ConfigException
                 | MissingRootFileException | RepositoryFetchException e) {
            throw new ReceiverException("miscellaneous: " + e.getMessage(), e);
        }
    }

    /** The lease subpath as a repository path; a trailing slash is what publishers send for a directory. */
    private static RepositoryPath leasePath(Lease lease) {
        String subpath = lease.path().subpath();
        while (subpath.endsWith("/")) {
            subpath = subpath.substring(0, subpath.length() - 1);
        }
        try {
            return RepositoryPath.of(subpath);
        } catch (IllegalArgumentException e) {
            throw new ReceiverException("merge_error: lease path " + lease.path() + " is no repository path: "
                    + e.getMessage(), e);
        }
    }

    private final class Merge {
        private final Lease lease;
        private final RepositoryLayout layout;
        private final RepositoryPath leasePath;
        private final RepositoryKeys keys;
        private final List<PublicKey> masterKeys;
        private final ContentHash oldRoot;
        private final ContentHash newRoot;
        private final TagSpec tag;

        Merge(Lease lease, RepositoryLayout layout, RepositoryPath leasePath, RepositoryKeys keys,
              List<PublicKey> masterKeys, ContentHash oldRoot, ContentHash newRoot, TagSpec tag) {
            this.lease = lease;
            this.layout = layout;
            this.leasePath = leasePath;
            this.keys = keys;
            this.masterKeys = masterKeys;
            this.oldRoot = oldRoot;
            this.newRoot = newRoot;
            this.tag = tag;
        }

        CommitResult run() {
            if (!Files.isDirectory(layout.servedRoot())) {
                throw new ReceiverException("miscellaneous: repository " + layout.fqrn() + " has no storage at "
                        + layout.servedRoot());
            }
            LocalRepositorySource source = new LocalRepositorySource(layout.servedRoot());
            ObjectStore store = new ObjectStore(layout.servedRoot());
            requireUploaded(source, "old_root_hash", oldRoot);
            requireUploaded(source, "new_root_hash", newRoot);
            long started = System.nanoTime();
            Manifest head = PublishedManifest.read(source, layout.fqrn(), masterKeys, clock).manifest();
            ChangeCount count = new ChangeCount();
            StepTimes steps = new StepTimes();
            CatalogCommit merged = merge(source, store, head, count, steps);
            long mergedAt = System.nanoTime();
            SignedManifest published = new HeadPublisher(layout, keys, clock).publish(new Publication(head,
                    merged, tag.name().isEmpty() ? null : tag.name(), tag.description(), List.of(newRoot)));
            long revision = published.manifest().revision();
            LOG.infof("commit merged: repository=%s lease_path=%s key_id=%s old_revision=%d new_revision=%d"
                            + " head_root=%s old_root=%s new_root=%s merged_root=%s added=%d removed=%d modified=%d"
                            + " catalogs_written=%d merge_ms=%d publish_ms=%d open_ms=%d diff_ms=%d write_ms=%d",
                    layout.fqrn(), lease.path(), lease.keyId(), head.revision(), revision, head.rootCatalog(), oldRoot,
                    newRoot, merged.rootHash(), count.added, count.removed, count.modified, merged.catalogs().size(),
                    (mergedAt - started) / 1_000_000, (System.nanoTime() - mergedAt) / 1_000_000, steps.open, steps.diff,
                    steps.write);
            return new CommitResult(revision);
        }

        /**
         * The publisher's change applied to the head's catalogs, which are written as the next
         * revision's; {@code steps} gets the milliseconds of opening the catalogs, of the diff
         * with the merge of each change, and of writing the changed catalogs.
         */
        private CatalogCommit merge(LocalRepositorySource source, ObjectStore store, Manifest head, ChangeCount count,
                                    StepTimes steps) {
            long started = System.nanoTime();
            // both roots fetched, verified and inflated side by side: most of a small change's merge
            CompletableFuture<CatalogHierarchy> opening = CompletableFuture.supplyAsync(
                    () -> CatalogHierarchy.open(source, newRoot, layout.tmpDir()));
            CatalogHierarchy opened;
            try {
                opened = CatalogHierarchy.open(source, oldRoot, layout.tmpDir());
            } catch (RuntimeException e) {
                opening.thenAccept(CatalogHierarchy::close);
                throw e;
            }
            try (CatalogHierarchy before = opened;
                 CatalogHierarchy after = joined(opening);
                 WritableCatalogManager target = WritableCatalogManager.openBeside(before, source,
                         head.rootCatalog(), layout.tmpDir())) {
                long openedAt = System.nanoTime();
                CatalogDiff.run(before, after, leasePath, count.andThen(new CatalogMerge(target)));
                long diffedAt = System.nanoTime();
                CatalogCommit merged = target.commit(store, head.rootCatalog().algorithm(), clock);
                steps.open = (openedAt - started) / 1_000_000;
                steps.diff = (diffedAt - openedAt) / 1_000_000;
                steps.write = (System.nanoTime() - diffedAt) / 1_000_000;
                return merged;
            }
        }

        private void requireUploaded(LocalRepositorySource source, String field, ContentHash root) {
            if (!source.hasObject(root)) {
                throw new ReceiverException("merge_error: " + field + " " + root.toSuffixedText() + " is not in the"
                        + " storage of " + layout.fqrn() + "; upload its catalogs with a payload first");
            }
        }
    }

    /** The value of {@code future}, or what it threw. */
    private static <T> T joined(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Milliseconds of the merge's steps, for the commit's log line. */
    private static final class StepTimes {
        long open;
        long diff;
        long write;
    }

    /** Counts the changes for the log as they pass to the merge. */
    private static final class ChangeCount implements Consumer<CatalogChange> {
        long added;
        long removed;
        long modified;

        @Override
        public void accept(CatalogChange change) {
            switch (change.type()) {
                case ADDITION -> added++;
                case REMOVAL -> removed++;
                case MODIFICATION -> modified++;
            }
        }
    }
}
