package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.files.AtomicFile;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.history.TagTarget;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestException;
import org.cvmfs.suite.protocol.manifest.RepositoryKeys;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.signing.RepositorySigner;
import org.cvmfs.suite.protocol.signing.SignedPublication;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * The one code path that turns a new root catalog into a published revision of a local
 * repository: tags in a new history object, the reflog, the signed manifest, then the
 * replacement of {@code .cvmfspublished}, {@code .cvmfsreflog} and {@code reflog.chksum}. mkfs's
 * initial commit and the gateway's commit both end here. Publications of one repository are
 * serialised (threads and processes, {@link RepositoryLock}), and each is a compare-and-swap on
 * the head manifest.
 *
 * <p>Steps on disk ({@link PublicationStep} names the boundary after each):
 * <ol>
 *   <li>new objects: history database, certificate (content-addressed; unreferenced until the
 *       manifest names them, then at worst orphans for garbage collection);</li>
 *   <li>the new reflog staged as {@code reflog.pending} in the spool ({@link PendingReflog});</li>
 *   <li>{@code .cvmfspublished} atomically replaced: the commit point;</li>
 *   <li>{@code .cvmfsreflog} atomically replaced by the staged reflog;</li>
 *   <li>{@code reflog.chksum} atomically replaced; then the staged reflog removed.</li>
 * </ol>
 *
 * <p>Invariant: at every instant either no {@code reflog.pending} exists and the served manifest's
 * {@code Y}, the served {@code .cvmfsreflog} and {@code reflog.chksum} agree, or a
 * {@code reflog.pending} exists and the disagreement is repaired from it by {@link #recover}, which
 * runs when the gateway starts, at the start of every publication and in {@code check -r}:
 * if the manifest's {@code Y} is the pending reflog's digest the manifest was replaced and the
 * reflog and checksum are brought to it (a reflog only grows, so the newer one holds every entry
 * the older one had); otherwise the manifest was not replaced, the old three still agree, and
 * the pending reflog is dropped. No step ever leaves a state from which a later publication
 * fails.
 */
public final class HeadPublisher {
    private final RepositoryLayout layout;
    private final RepositoryKeys keys;
    private final Clock clock;
    private final ObjectStore store;

    public HeadPublisher(RepositoryLayout layout, RepositoryKeys keys, Clock clock) {
        if (!keys.fqrn().equals(layout.fqrn())) {
            throw new IllegalArgumentException("keys of " + keys.fqrn() + " cannot publish " + layout.fqrn());
        }
        this.layout = layout;
        this.keys = keys;
        this.clock = clock;
        this.store = new ObjectStore(layout.servedRoot());
    }

    /** Publishes {@code publication} and returns the manifest now served. */
    public SignedManifest publish(Publication publication) {
        try (RepositoryLock lock = RepositoryLock.acquire(layout)) {
            PendingReflog.recoverLocked(layout);
            requireHead(publication.base());
            CatalogCommit root = publication.root();
            Manifest base = publication.base();
            if (!store.contains(publication.rootCatalog())) {
                throw new RepositoryException("root catalog " + publication.rootCatalog() + " is not in the storage of "
                        + layout.fqrn());
            }
            if (root.revision() <= base.revision()) {
                throw new RepositoryException("root catalog " + publication.rootCatalog() + " has revision "
                        + root.revision() + ", not above the published revision " + base.revision());
            }
            HashAlgorithm algorithm = publication.rootCatalog().algorithm();
            ContentHash history = recordHistory(base, publication, algorithm);
            Manifest unsigned = new Manifest(publication.rootCatalog(), root.rootSize(), root.ttl(), root.revision(),
                    base.garbageCollectable(), base.alternativeNames(), layout.fqrn(), base.certificate(), history,
                    base.publishedSeconds(), base.metaInfo(), base.reflog());
            SignedPublication signed;
            try (Reflog reflog = openReflog(base)) {
                signed = new RepositorySigner(keys, store, clock).sign(unsigned, reflog, publication.extraCatalogs());
            }
            install(signed);
            return signed.manifest();
        }
    }

    /**
     * Installs a first signed manifest where none is served yet (mkfs's revision 0). The reflog is
     * new; every later head goes through {@link #publish}.
     */
    SignedManifest publishFirst(Manifest unsigned) {
        try (RepositoryLock lock = RepositoryLock.acquire(layout)) {
            PendingReflog.recoverLocked(layout);
            if (Files.exists(layout.manifest())) {
                throw new HeadMovedException("repository " + layout.fqrn() + " already serves a manifest at "
                        + layout.manifest());
            }
            SignedPublication signed;
            try (Reflog reflog = Reflog.create(layout.tmpDir(), layout.fqrn())) {
                signed = new RepositorySigner(keys, store, clock).sign(unsigned, reflog, List.of());
            }
            install(signed);
            return signed.manifest();
        }
    }

    private Manifest readHead() {
        try {
            return SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest();
        } catch (NoSuchFileException e) {
            throw new HeadMovedException("repository " + layout.fqrn() + " has no manifest at " + layout.manifest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + layout.manifest(), e);
        } catch (ManifestException e) {
            throw new RepositoryException("the served manifest of " + layout.fqrn() + " is unreadable: " + e.getMessage(), e);
        }
    }

    private void requireHead(Manifest expected) {
        Manifest current = readHead();
        if (!current.equals(expected)) {
            throw new HeadMovedException("head of " + layout.fqrn() + " moved: publication is based on revision "
                    + expected.revision() + " (" + expected.rootCatalog() + "), the repository serves revision "
                    + current.revision() + " (" + current.rootCatalog() + ")");
        }
    }

    private ContentHash recordHistory(Manifest base, Publication publication, HashAlgorithm algorithm) {
        LocalRepositorySource source = new LocalRepositorySource(layout.servedRoot());
        try (TagDatabase history = base.history() == null
                ? TagDatabase.create(layout.tmpDir(), layout.fqrn())
                : TagDatabase.fetch(source, base.history(), layout.tmpDir())) {
            if (!history.fqrn().equals(layout.fqrn())) {
                throw new RepositoryException("history " + base.history() + " belongs to repository '"
                        + history.fqrn() + "', not " + layout.fqrn());
            }
            CatalogCommit root = publication.root();
            history.recordPublication(new TagTarget(publication.rootCatalog(), root.revision(), root.lastModified(),
                    root.rootSize()), publication.tagName(), publication.tagDescription(), clock);
            return history.store(store, algorithm);
        }
    }

    /**
     * The served reflog, trusted only if it hashes to the base manifest's {@code Y} (or, for a
     * manifest without {@code Y}, to the spool's {@code reflog.chksum}); a repository that never
     * had one gets a new one.
     */
    private Reflog openReflog(Manifest base) {
        LocalRepositorySource source = new LocalRepositorySource(layout.servedRoot());
        Optional<ContentHash> expected = Optional.ofNullable(base.reflog()).or(() -> ReflogChecksum.read(layout));
        if (expected.isPresent()) {
            Reflog reflog = Reflog.fetch(source, expected.get(), layout.tmpDir());
            if (!reflog.fqrn().equals(layout.fqrn())) {
                reflog.close();
                throw new RepositoryException("reflog belongs to repository '" + reflog.fqrn() + "', not "
                        + layout.fqrn());
            }
            return reflog;
        }
        if (Files.exists(layout.reflog())) {
            throw new RepositoryException("repository " + layout.fqrn() + " serves " + layout.reflog()
                    + " but neither the manifest (Y) nor " + layout.reflogChecksum() + " names its digest");
        }
        return Reflog.create(layout.tmpDir(), layout.fqrn());
    }

    /**
     * Re-signs the served revision after {@code edit} changed its reflog (garbage collection drops
     * the objects it deleted): same revision, catalogs and history, a new {@code Y} and time
     * stamp; installed like any publication. Callers may hold the repository's lock already.
     */
    public SignedManifest resignWithReflog(Consumer<Reflog> edit) {
        try (RepositoryLock lock = RepositoryLock.acquire(layout)) {
            PendingReflog.recoverLocked(layout);
            Manifest head = readHead();
            SignedPublication signed;
            try (Reflog reflog = openReflog(head)) {
                edit.accept(reflog);
                signed = new RepositorySigner(keys, store, clock).sign(head, reflog, List.of());
            }
            install(signed);
            return signed.manifest();
        }
    }

    /**
     * Re-signs the served revision with a reflog built anew by {@code rebuild} from the head (the
     * served {@code .cvmfsreflog} was lost: {@code check -r}): same revision, catalogs and history,
     * a new {@code Y} and time stamp; installed like any publication, so reflog, manifest and
     * {@code reflog.chksum} agree again at every instant (see the class comment).
     */
    public SignedManifest resignWithRebuiltReflog(Function<Manifest, Reflog> rebuild) {
        try (RepositoryLock lock = RepositoryLock.acquire(layout)) {
            PendingReflog.recoverLocked(layout);
            Manifest head = readHead();
            SignedPublication signed;
            try (Reflog reflog = rebuild.apply(head)) {
                signed = new RepositorySigner(keys, store, clock).sign(head, reflog, List.of());
            }
            install(signed);
            return signed.manifest();
        }
    }

    /**
     * Finishes or undoes a publication that a crash interrupted (see the class comment); takes
     * the repository's lock, so it is safe beside a running publication.
     */
    public static PendingReflog.Outcome recover(RepositoryLayout layout) {
        try (RepositoryLock lock = RepositoryLock.acquire(layout)) {
            return PendingReflog.recoverLocked(layout);
        }
    }

    private void install(SignedPublication signed) {
        PublicationStep.OBJECTS_STORED.reached();
        PendingReflog.stage(layout, signed.reflog());
        PublicationStep.REFLOG_STAGED.reached();
        AtomicFile.replace(layout.manifest(), signed.manifest().toBytes());
        PublicationStep.MANIFEST_REPLACED.reached();
        AtomicFile.replace(layout.reflog(), signed.reflog());
        PublicationStep.REFLOG_REPLACED.reached();
        ReflogChecksum.write(layout, signed.manifest().manifest().reflog());
        PublicationStep.CHECKSUM_WRITTEN.reached();
        PendingReflog.discard(layout);
    }
}
