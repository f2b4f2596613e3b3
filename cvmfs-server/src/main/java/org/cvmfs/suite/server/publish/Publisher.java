package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayClient;
import org.cvmfs.suite.protocol.gateway.GatewayException;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.StagedObject;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * {@code cvmfs_server transaction | publish | abort} on a publisher host that talks to a
 * repository gateway: a lease on a subtree, a working copy of that subtree, and a publication
 * of what changed in it. Every step is recorded in the spool first, so that an interrupted
 * command is finished by the next {@code publish} or undone by {@code abort}.
 */
public final class Publisher {
    private static final DateTimeFormatter AUTO_TAG = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);
    private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);

    private final PublisherSettings settings;
    private final PublisherSpool spool;
    private final GatewayClient gateway;
    private final RepositorySource stratum0;
    private final Clock clock;
    private final Consumer<String> out;

    /** What a publication produced. */
    public record Published(long revision, ContentHash rootCatalog, int filesProcessed, long bytesProcessed,
                            long bytesUploaded) {
    }

    public Publisher(PublisherSettings settings, Clock clock, Consumer<String> out) {
        this(settings, new HttpRepositorySource(settings.stratum0()), clock, out);
    }

    /** With an explicit Stratum-0 source (a local directory in tests). */
    public Publisher(PublisherSettings settings, RepositorySource stratum0, Clock clock, Consumer<String> out) {
        this.settings = settings;
        this.spool = new PublisherSpool(settings.spoolDir());
        this.gateway = new GatewayClient(settings.gatewayApi(), settings.gatewayKey(), settings.gatewayTimeout(),
                "cvmfs/2.12.0");
        this.stratum0 = stratum0;
        this.clock = clock;
        this.out = out;
    }

    public PublisherSpool spool() {
        return spool;
    }

    /** Where the leased subtree can be edited: {@code /cvmfs/REPO/PATH} as root, the spool's working tree otherwise. */
    public Path editableTree(RepositoryPath leasePath) {
        return mount().map(m -> m.mountpoint(leasePath)).orElse(spool.workTree());
    }

    private Optional<WorkTreeMount> mount() {
        return settings.repositoryMount().map(WorkTreeMount::new);
    }

    // ---- transaction ----

    /**
     * Acquires the lease on {@code leasePath} (retrying while busy for {@code retryFor}, forever
     * if it is zero) and fills the working tree with the subtree's current content. A
     * transaction whose materialisation was interrupted is resumed.
     */
    public TransactionState transaction(RepositoryPath leasePath, Optional<Duration> retryFor) {
        TransactionState state = spool.load().orElse(null);
        if (state != null && (state.phase() != TransactionState.Phase.LEASED || !state.leasePath().equals(leasePath))) {
            throw new PublisherException(PublisherException.FAILED, "repository " + settings.repository()
                    + " is already in a transaction on " + display(state.leasePath()) + " (" + state.phase()
                    + "); publish or abort it first");
        }
        if (state == null) {
            state = openLease(leasePath, retryFor);
        }
        ObjectCache cache = cache();
        Materializer.Result result;
        try (CatalogHierarchy catalogs = CatalogHierarchy.open(cache, state.baseRootCatalog(), tmp("catalogs"))) {
            result = new Materializer(cache, settings.fetchThreads(), w -> out.accept("Warning: " + w))
                    .materialize(catalogs, leasePath, spool.workTree(), previousSnapshot(leasePath), probe());
        }
        TreeSnapshotFile.write(spool.snapshotFile(), result.snapshot());
        mount().ifPresent(m -> m.mountWritable(spool.workTree(), leasePath));
        TransactionState open = state.withPhase(TransactionState.Phase.OPEN);
        spool.save(open);
        out.accept(String.format("Transaction on %s%s open in %s (revision %d; %d files fetched, %d kept)",
                settings.repository(), leasePath, editableTree(leasePath), state.baseRevision(),
                result.filesWritten(), result.filesKept()));
        return open;
    }

    private TransactionState openLease(RepositoryPath leasePath, Optional<Duration> retryFor) {
        String token = acquire(leasePath, retryFor);
        try {
            Manifest head = verifiedHead();
            if (!leasePath.isRoot()) {
                requireParentDirectory(head.rootCatalog(), leasePath);
            }
            TransactionState state = TransactionState.leased(settings.repository(), leasePath, token,
                    head.rootCatalog(), head.revision(), clock.instant());
            spool.save(state);
            return state;
        } catch (RuntimeException e) {
            dropQuietly(token);
            throw e;
        }
    }

    private String acquire(RepositoryPath leasePath, Optional<Duration> retryFor) {
        LeasePath lease = new LeasePath(settings.repository(), "/" + leasePath.relative());
        Instant deadline = retryFor.filter(d -> !d.isZero()).map(d -> clock.instant().plus(d)).orElse(null);
        Duration delay = Duration.ZERO;
        while (true) {
            GatewayReply reply;
            try {
                reply = gateway.acquire(lease, settings.hostname());
            } catch (GatewayException e) {
                throw new PublisherException(PublisherException.FAILED, "cannot acquire lease: " + e.getMessage(), e);
            }
            if (reply.isOk() && reply.sessionToken() != null && !reply.sessionToken().isEmpty()) {
                return reply.sessionToken();
            }
            if (!reply.isPathBusy()) {
                throw new PublisherException(PublisherException.FAILED, "cannot parse session token: gateway answered "
                        + reply.status() + (reply.reason() == null ? "" : " (" + reply.reason() + ")"));
            }
            // upstream's words, which scripts match: "lease path busy"
            String busy = "lease path busy: " + lease.toWire()
                    + (reply.timeRemaining() == null ? "" : " (time remaining: " + reply.timeRemaining() + ")");
            if (retryFor.isEmpty() || (deadline != null && !clock.instant().plus(delay).isBefore(deadline))) {
                throw new PublisherException(PublisherException.BUSY, busy);
            }
            out.accept(busy + ", retrying");
            sleep(delay);
            Duration next = delay.isZero() ? FIRST_RETRY_DELAY : delay.multipliedBy(2);
            delay = next.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : next;
            delay = Duration.ofMillis(ThreadLocalRandom.current().nextLong(delay.toMillis() / 2, delay.toMillis() + 1));
        }
    }

    /** Upstream refuses a lease whose parent is not an existing directory, and drops it again. */
    private void requireParentDirectory(ContentHash root, RepositoryPath leasePath) {
        try (CatalogHierarchy catalogs = CatalogHierarchy.open(cache(), root, tmp("catalogs"))) {
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

    // ---- publish ----

    /**
     * Publishes what changed in the working tree: content and catalogs uploaded in packs, then
     * the commit. Resumes an interrupted publication; a commit whose outcome was unknown is sent
     * again.
     */
    public Published publish(Optional<String> tag, Optional<String> description) {
        TransactionState state = spool.load().orElseThrow(() -> new PublisherException(PublisherException.FAILED,
                "repository " + settings.repository() + " is not in a transaction"));
        String tagName = tagName(tag);
        switch (state.phase()) {
            case LEASED -> throw new PublisherException(PublisherException.FAILED, "the transaction on "
                    + display(state.leasePath()) + " was not completely opened; run transaction again or abort");
            case COMMITTING -> {
                out.accept("Resending the commit of " + state.newRootCatalog().orElseThrow());
                long revision = commit(state, tagName, description.orElse(""));
                mount().ifPresent(m -> m.unmount(state.leasePath()));
                spool.clear();
                return new Published(revision, state.newRootCatalog().orElseThrow(), 0, 0, 0);
            }
            default -> {
                mount().ifPresent(m -> m.makeReadOnly(state.leasePath()));
                try {
                    Published p = publishChanges(state, tagName, description.orElse(""));
                    mount().ifPresent(m -> m.unmount(state.leasePath()));
                    return p;
                } catch (RuntimeException e) {
                    mount().ifPresent(m -> m.makeWritable(state.leasePath()));
                    throw e;
                }
            }
        }
    }

    private Published publishChanges(TransactionState state, String tagName, String description) {
        TransactionState publishing = state.withPhase(TransactionState.Phase.PUBLISHING);
        spool.save(publishing);
        TreeSnapshot before = TreeSnapshotFile.read(spool.snapshotFile());
        TreeSnapshot now = TreeSnapshot.take(spool.workTree(), state.leasePath(), probe(), Map.of());
        ChangeSet changes = ChangeSet.compute(before, now.tree());
        out.accept("Processing changes... (" + changes.additions().size() + " added, "
                + changes.modifications().size() + " modified, " + changes.removals().size() + " removed)");
        Path outgoing = tmp("outgoing");
        discardLeftovers();
        PublicationBuilder.Built built;
        long uploaded;
        try (PackUploader uploader = new PackUploader(pack -> submit(state.sessionToken(), pack), tmp("packs"));
             ContentProcessor processor = new ContentProcessor(settings.ingest(), uploader, settings.threads(),
                     tmp("staging"))) {
            built = PublicationBuilder.build(cache(), state.baseRootCatalog(), changes, spool.workTree(), processor,
                    new ObjectStore(outgoing), tmp("catalogs"), clock);
            uploaded = finishUpload(outgoing, uploader, state.sessionToken());
        } finally {
            deleteTree(outgoing);
        }
        TransactionState committing = publishing.committing(built.commit().rootHash());
        spool.save(committing);
        long revision = commit(committing, tagName, description);
        TreeSnapshotFile.write(spool.snapshotFile(), nextSnapshot(before, now, changes, built));
        spool.clear();
        return new Published(revision, built.commit().rootHash(), built.filesProcessed(), built.bytesProcessed(), uploaded);
    }

    /**
     * Sends the commit. A refusal puts the transaction back to OPEN (publish may be tried again
     * after fixing the cause); a transport failure leaves it COMMITTING, because the gateway may
     * have committed anyway.
     */
    private long commit(TransactionState state, String tagName, String description) {
        ContentHash newRoot = state.newRootCatalog().orElseThrow();
        GatewayReply reply;
        try {
            reply = gateway.commit(state.sessionToken(),
                    CommitRequest.of(state.baseRootCatalog(), newRoot, tagName, description));
        } catch (GatewayException e) {
            throw new PublisherException(PublisherException.FAILED, "Failed to commit transaction: " + e.getMessage()
                    + " (the gateway may have committed; publish again to resend, or abort -f)", e);
        }
        if (!reply.isOk()) {
            spool.save(state.withPhase(TransactionState.Phase.OPEN));
            throw new PublisherException(PublisherException.FAILED, "Failed to commit transaction: "
                    + reply.status() + (reply.reason() == null ? "" : " (" + reply.reason() + ")"));
        }
        out.accept("Changes submitted to repository gateway");
        long revision = reply.finalRevision() == null ? -1 : reply.finalRevision();
        if (revision >= 0) {
            out.accept("New revision: " + revision);
        }
        return revision;
    }

    private void submit(String token, org.cvmfs.suite.protocol.pack.ObjectPackWriter pack) {
        GatewayReply reply = gateway.submitPayload(token, pack);
        if (!reply.isOk()) {
            throw new GatewayException("gateway refused an object pack of " + pack.objectCount() + " objects: "
                    + reply.status() + (reply.reason() == null ? "" : " (" + reply.reason() + ")"));
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

    // ---- ingest ----

    /**
     * {@code cvmfs_server ingest -t TARBALL -b BASE}: a lease on {@code base}, the tarball
     * written into the catalogs below it, upload and commit, all in one go.
     */
    public Published ingest(java.io.InputStream tarball, RepositoryPath base, boolean nestedCatalog,
                            Optional<String> tag, Optional<String> description, Optional<Duration> retryFor) {
        return oneShot(base, tag, description, retryFor, (catalogs, processor) -> {
            long now = clock.instant().getEpochSecond();
            long[] owner = currentOwner();
            TarIngest.Result r = TarIngest.ingest(tarball, base, catalogs, processor, now, owner[0], owner[1],
                    w -> out.accept("Warning: " + w));
            if (nestedCatalog && !catalogs.isNestedCatalogMountpoint(base)) {
                if (base.isRoot()) {
                    throw new PublisherException(PublisherException.FAILED, "the repository root cannot be a nested catalog");
                }
                catalogs.createNestedCatalog(base);
            }
            out.accept(String.format("Ingested %d directories, %d files (%d bytes) and %d symlinks below %s",
                    r.directories(), r.files(), r.bytes(), r.symlinks(), display(base)));
            return new long[] {r.files(), r.bytes()};
        });
    }

    /** {@code cvmfs_server ingest -d PATH}: removes one path (a directory with everything below it). */
    public Published ingestDelete(RepositoryPath path, Optional<String> tag, Optional<String> description,
                                  Optional<Duration> retryFor) {
        if (path.isRoot()) {
            throw new PublisherException(PublisherException.FAILED, "refusing to delete the repository root");
        }
        return oneShot(path, tag, description, retryFor, (catalogs, processor) -> {
            if (catalogs.lookup(path).isEmpty()) {
                throw new PublisherException(PublisherException.NOT_FOUND, path + " does not exist");
            }
            catalogs.remove(path);
            out.accept("Deleted " + path);
            return new long[] {0, 0};
        });
    }

    private interface CatalogEdit {
        long[] apply(WritableCatalogManager catalogs, ContentProcessor processor);
    }

    /** A lease, an edit of the head's catalogs, upload and commit, without a working tree. */
    private Published oneShot(RepositoryPath leasePath, Optional<String> tag, Optional<String> description,
                              Optional<Duration> retryFor, CatalogEdit edit) {
        spool.load().ifPresent(s -> {
            throw new PublisherException(PublisherException.FAILED, "repository " + settings.repository()
                    + " is already in a transaction on " + display(s.leasePath()) + "; publish or abort it first");
        });
        String tagName = tagName(tag);
        TransactionState state = openLease(leasePath, retryFor);
        Path outgoing = tmp("outgoing");
        try {
            discardLeftovers();
            CatalogCommit commit;
            long[] stats;
            long uploaded;
            try (PackUploader uploader = new PackUploader(pack -> submit(state.sessionToken(), pack), tmp("packs"));
                 ContentProcessor processor = new ContentProcessor(settings.ingest(), uploader, settings.threads(),
                         tmp("staging"));
                 WritableCatalogManager catalogs = WritableCatalogManager.open(cache(), state.baseRootCatalog(),
                         tmp("catalogs"))) {
                stats = edit.apply(catalogs, processor);
                commit = catalogs.commit(new ObjectStore(outgoing), settings.ingest().algorithm(), clock);
                uploaded = finishUpload(outgoing, uploader, state.sessionToken());
            }
            TransactionState committing = state.committing(commit.rootHash());
            spool.save(committing);
            long revision = commit(committing, tagName, description.orElse(""));
            spool.clear();
            return new Published(revision, commit.rootHash(), (int) stats[0], stats[1], uploaded);
        } catch (RuntimeException e) {
            TransactionState now = spool.load().orElse(null);
            if (now != null && now.phase() != TransactionState.Phase.COMMITTING) {
                dropQuietly(state.sessionToken());
                spool.clear();
            }
            throw e;
        } finally {
            deleteTree(outgoing);
        }
    }

    private String tagName(Optional<String> tag) {
        String name = tag.orElseGet(() -> settings.autoTag() ? "generic-" + AUTO_TAG.format(clock.instant()) : "");
        if (tag.isEmpty() && settings.autoTag()) {
            out.accept("Using auto tag '" + name + "'");
        }
        return name;
    }

    private static long[] currentOwner() {
        com.sun.security.auth.module.UnixSystem me = new com.sun.security.auth.module.UnixSystem();
        return new long[] {me.getUid(), me.getGid()};
    }

    // ---- abort ----

    /** Drops the lease and forgets the transaction; with {@code force}, even if the gateway disagrees. */
    public void abort(boolean force) {
        String token;
        try {
            spool.load().ifPresent(s -> mount().ifPresent(m -> m.unmount(s.leasePath())));
        } catch (IllegalStateException damaged) {
            // the state is unreadable; abort -f goes on below
        }
        try {
            token = spool.load().map(TransactionState::sessionToken).orElseGet(this::tokenFile);
        } catch (IllegalStateException damaged) {
            if (!force) {
                throw new PublisherException(PublisherException.FAILED, damaged.getMessage(), damaged);
            }
            token = tokenFile();
        }
        if (token == null) {
            throw new PublisherException(PublisherException.FAILED, "repository " + settings.repository()
                    + " is not in a transaction");
        }
        try {
            GatewayReply reply = gateway.drop(token);
            if (!reply.isOk() && !force) {
                throw new PublisherException(PublisherException.FAILED,
                        "gateway doesn't recognize the lease or cannot drop it (" + reply.status()
                                + (reply.reason() == null ? "" : ": " + reply.reason()) + "); abort -f discards it anyway");
            }
        } catch (GatewayException e) {
            if (!force) {
                throw new PublisherException(PublisherException.FAILED, "cannot drop the lease: " + e.getMessage(), e);
            }
        }
        spool.clear();
    }

    // ---- plumbing ----

    private Manifest verifiedHead() {
        return new ManifestVerifier(settings.masterKeys(), clock).verify(stratum0, settings.repository()).manifest();
    }

    private ObjectCache cache() {
        return new ObjectCache(stratum0, new ObjectStore(spool.objectCache()));
    }

    private TreeSnapshot previousSnapshot(RepositoryPath leasePath) {
        if (!Files.exists(spool.snapshotFile())) {
            return TreeSnapshot.empty(leasePath);
        }
        try {
            return TreeSnapshotFile.read(spool.snapshotFile());
        } catch (IllegalStateException damaged) {
            out.accept("Warning: " + damaged.getMessage() + "; fetching the whole subtree again");
            return TreeSnapshot.empty(leasePath);
        }
    }

    private String tokenFile() {
        try {
            return new String(Files.readAllBytes(spool.sessionTokenFile()), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + spool.sessionTokenFile(), e);
        }
    }

    private void dropQuietly(String token) {
        try {
            gateway.drop(token);
        } catch (GatewayException ignored) {
            // the lease expires on its own
        }
    }

    /**
     * Ends the upload of a publication: the objects the catalog commit stored besides catalogs
     * (the empty object of catalog markers) join the file data; then the catalogs follow in packs
     * of their own, as upstream's publisher sends them from its second uploader. Returns the
     * bytes uploaded.
     */
    private long finishUpload(Path outgoing, PackUploader data, String token) {
        uploadStore(outgoing, data, hash -> hash.suffix() != ObjectSuffix.CATALOG);
        data.finish();
        try (PackUploader catalogs = new PackUploader(pack -> submit(token, pack), tmp("packs"))) {
            uploadStore(outgoing, catalogs, hash -> hash.suffix() == ObjectSuffix.CATALOG);
            catalogs.finish();
            return data.uploadedBytes() + catalogs.uploadedBytes();
        }
    }

    /** Spool files of an attempt that was killed: never reused, since what is published is computed again. */
    private void discardLeftovers() {
        for (String dir : List.of("outgoing", "packs", "staging")) {
            deleteTree(tmp(dir));
        }
    }

    /** Uploads the objects a catalog commit stored locally that {@code wanted} selects. */
    private void uploadStore(Path storeRoot, PackUploader uploader, Predicate<ContentHash> wanted) {
        Path data = storeRoot.resolve("data");
        if (!Files.isDirectory(data)) {
            return;
        }
        try (Stream<Path> files = Files.walk(data)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Path rel = data.relativize(f);
                if (rel.getNameCount() != 2 || rel.getName(0).toString().equals("txn")) {
                    continue;
                }
                ContentHash hash = ContentHash.parseSuffixed(rel.getName(0).toString() + rel.getName(1));
                if (!wanted.test(hash)) {
                    continue;
                }
                try (StagedObject staged = new StagedObject(tmp("staging"), ContentProcessor.DEFAULT_STAGING_LIMIT);
                     java.io.InputStream in = Files.newInputStream(f)) {
                    byte[] block = new byte[64 * 1024];
                    int n;
                    while ((n = in.read(block)) > 0) {
                        staged.write(block, 0, n);
                    }
                    staged.seal();
                    uploader.accept(hash, staged);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the catalogs to upload from " + storeRoot, e);
        }
    }

    private Path tmp(String name) {
        return spool.tmpDir().resolve(name);
    }

    private Path probe() {
        return spool.tmpDir().resolve("clock.probe");
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublisherException(PublisherException.FAILED, "interrupted while waiting for the lease", e);
        }
    }

    private static void deleteTree(Path dir) {
        try {
            Materializer.wipe(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + dir, e);
        }
    }

    private static String display(RepositoryPath p) {
        return p.isRoot() ? "/" : p.toString();
    }
}
