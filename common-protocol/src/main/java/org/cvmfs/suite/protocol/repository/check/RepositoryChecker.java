package org.cvmfs.suite.protocol.repository.check;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.catalog.CatalogException;
import org.cvmfs.suite.protocol.catalog.CatalogFault;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.CatalogVerifier;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.history.Tag;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.manifest.KeyFiles;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.check.CheckReport.Fault;
import org.cvmfs.suite.protocol.repository.MetaInfo;
import org.cvmfs.suite.protocol.repository.ReflogChecksum;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.repository.RepositoryException;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.MissingObjectException;
import org.cvmfs.suite.protocol.store.MissingRootFileException;
import org.cvmfs.suite.protocol.store.RepositoryFetchException;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * Our strict {@code cvmfs_server check}: the client's chain of trust (manifest signature,
 * certificate, whitelist, master key), the meta information, the reflog, the history, every
 * catalog (through {@link CatalogVerifier}) and, unless switched off, every referenced object
 * fetched and hashed. It never stops at the first fault: each check that can still run does, and
 * every fault is reported with its class. It only reads: catalogs and databases are staged in a
 * private scratch directory that is removed afterwards.
 */
public final class RepositoryChecker {
    private static final long MAX_META_INFO_BYTES = 16L << 20;

    private final Clock clock;
    private final Path scratchParent;

    /**
     * @param clock         decides whether the whitelist has expired
     * @param scratchParent where the private scratch directory is made; must not be inside the
     *                      checked repository
     */
    public RepositoryChecker(Clock clock, Path scratchParent) {
        this.clock = clock;
        this.scratchParent = scratchParent;
    }

    /**
     * Checks the repository served from this host's {@code /srv/cvmfs/REPO}, trusting the master
     * public key {@code /etc/cvmfs/keys/REPO.pub} and using the spool's {@code reflog.chksum}.
     */
    public CheckReport checkLocal(RepositoryLayout layout, CheckOptions options) {
        List<PublicKey> keys = Files.exists(layout.keyDirectory().masterPublicKeyFile(layout.fqrn()))
                ? List.of(layout.keyDirectory().readMasterPublicKey(layout.fqrn()))
                : List.of();
        return checkLocal(layout, keys, options);
    }

    /** Like {@link #checkLocal(RepositoryLayout, CheckOptions)}, trusting {@code masterKeys} instead. */
    public CheckReport checkLocal(RepositoryLayout layout, List<PublicKey> masterKeys, CheckOptions options) {
        if (!Files.isDirectory(layout.servedRoot())) {
            throw new RepositoryException("repository " + layout.fqrn() + " is not served from this host ("
                    + layout.servedRoot() + " does not exist)");
        }
        CheckReport report = check(new LocalRepositorySource(layout.servedRoot()), layout.fqrn(), masterKeys,
                options.withReflogChecksum(options.reflogChecksum().or(() -> ReflogChecksum.read(layout))));
        if (!options.scrubStorage()) {
            return report;
        }
        List<Fault> all = new ArrayList<>(report.faults());
        long scrubbed = StorageScrub.scrub(layout.dataDir(), all::add);
        return new CheckReport(report.repository(), report.revision(), report.rootCatalog(),
                report.objectsChecked() + scrubbed, all, report.warnings());
    }

    /** Repositories this host serves: a configuration directory and a served manifest ({@code -a}). */
    public static List<RepositoryLayout> localRepositories(HostPaths host) {
        Path configs = host.etcCvmfs().resolve("repositories.d");
        if (!Files.isDirectory(configs)) {
            return List.of();
        }
        try (var dirs = Files.list(configs)) {
            return dirs.map(d -> d.getFileName().toString()).sorted()
                    .filter(org.cvmfs.suite.protocol.repository.RepositoryName::isValid)
                    .map(name -> new RepositoryLayout(host, name))
                    .filter(l -> Files.isRegularFile(l.manifest()))
                    .toList();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("cannot list " + configs, e);
        }
    }

    /** Reads master public keys ({@code PUBLIC KEY} PEM files), as clients list them in {@code CVMFS_PUBLIC_KEY}. */
    public static List<PublicKey> readMasterKeys(List<Path> files) {
        return files.stream().map(KeyFiles::readPublicKey).toList();
    }

    /** Checks the repository {@code fqrn} served by {@code source}. */
    public CheckReport check(RepositorySource source, String fqrn, List<PublicKey> masterKeys, CheckOptions options) {
        Path scratch = DirectoryTree.createScratch(scratchParent, "cvmfs-check.");
        try {
            return new Run(source, fqrn, masterKeys, options, scratch).run();
        } finally {
            DirectoryTree.delete(scratch);
        }
    }

    /** The state of one check. */
    private final class Run {
        final RepositorySource source;
        final String fqrn;
        final List<PublicKey> masterKeys;
        final CheckOptions options;
        final Path scratch;
        final List<Fault> faults = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        final Set<ContentHash> checkedObjects = new HashSet<>();
        /** Stratum-1s replicate every tagged revision, so each tagged root catalog must be served. */
        final List<Tag> tags = new ArrayList<>();

        Run(RepositorySource source, String fqrn, List<PublicKey> masterKeys, CheckOptions options, Path scratch) {
            this.source = source;
            this.fqrn = fqrn;
            this.masterKeys = masterKeys;
            this.options = options;
            this.scratch = scratch;
        }

        void fault(FaultKind kind, String message) {
            faults.add(new Fault(kind, message));
        }

        CheckReport run() {
            Manifest manifest = checkTrustChain();
            if (manifest == null) {
                return new CheckReport(source.describe(), -1, null, 0, faults);
            }
            checkMetaInfo(manifest);
            checkReflog(manifest);
            Optional<Tag> tag = checkHistory(manifest);
            ContentHash root = manifest.rootCatalog();
            long size = manifest.rootCatalogSize();
            long revision = manifest.revision();
            if (options.tag().isPresent()) {
                if (tag.isEmpty()) {
                    return new CheckReport(source.describe(), -1, null, checkedObjects.size(), faults);
                }
                root = tag.get().target().rootCatalog();
                size = tag.get().target().size();
                revision = tag.get().target().revision();
            }
            checkCatalogs(root, size, revision);
            if (options.checkObjects()) {
                tags.forEach(t -> checkObject(t.target().rootCatalog(), "tag '" + t.name() + "'"));
            }
            return new CheckReport(source.describe(), revision, root, checkedObjects.size(), faults, warnings);
        }

        /** The parsed manifest, even if its trust chain fails (so the rest can still be checked), or null. */
        Manifest checkTrustChain() {
            Manifest manifest;
            try {
                manifest = SignedManifest.parse(source.fetchRootFile(ManifestVerifier.MANIFEST_FILE)).manifest();
            } catch (RepositoryFetchException e) {
                throw e; // unreachable or failing server: the check cannot run, the repository is not at fault
            } catch (RuntimeException e) {
                fault(FaultKind.TRUST_CHAIN, "manifest: " + e.getMessage());
                return null;
            }
            if (masterKeys.isEmpty()) {
                fault(FaultKind.TRUST_CHAIN, "no master public key to verify the whitelist of " + fqrn);
            } else {
                try {
                    new ManifestVerifier(masterKeys, clock).verify(source, fqrn);
                } catch (RuntimeException e) {
                    fault(FaultKind.TRUST_CHAIN, e.getMessage());
                }
            }
            if (manifest.certificate() != null) {
                checkedObjects.add(manifest.certificate());
            }
            return manifest;
        }

        void checkMetaInfo(Manifest manifest) {
            if (manifest.metaInfo() == null) {
                return;
            }
            try {
                byte[] json = Zlib.inflate(source.fetchObject(manifest.metaInfo()), MAX_META_INFO_BYTES);
                MetaInfo.requireJsonObject(json);
                checkedObjects.add(manifest.metaInfo());
            } catch (RuntimeException e) {
                fault(FaultKind.META_INFO, "meta information " + manifest.metaInfo() + ": " + e.getMessage());
            }
        }

        void checkReflog(Manifest manifest) {
            byte[] raw;
            try {
                raw = source.fetchRootFile(Reflog.FILE_NAME);
            } catch (MissingRootFileException e) {
                if (manifest.reflog() != null) {
                    fault(FaultKind.REFLOG, "manifest names reflog " + manifest.reflog().toText() + " but "
                            + Reflog.FILE_NAME + " is missing from " + source.describe());
                }
                return;
            } catch (RuntimeException e) {
                fault(FaultKind.REFLOG, e.getMessage());
                return;
            }
            Optional<ContentHash> y = Optional.ofNullable(manifest.reflog());
            Optional<ContentHash> spool = options.reflogChecksum();
            if (y.isEmpty() && spool.isEmpty()) {
                fault(FaultKind.REFLOG, Reflog.FILE_NAME + " is served but its digest is unknown (no Y in the manifest,"
                        + " no reflog.chksum)");
            }
            if (y.isPresent() && spool.isPresent() && !y.get().equals(spool.get()) && !options.replicaReflog()) {
                fault(FaultKind.REFLOG, "reflog.chksum says " + spool.get().toText() + ", the manifest's Y says "
                        + y.get().toText());
            }
            Stream<Optional<ContentHash>> digests = options.replicaReflog() ? Stream.of(spool) : Stream.of(y, spool);
            for (ContentHash expected : digests.flatMap(Optional::stream).distinct().toList()) {
                if (!expected.matches(raw)) {
                    fault(FaultKind.REFLOG, Reflog.FILE_NAME + " hashes to "
                            + Reflog.digestOf(raw, expected.algorithm()).toText() + ", expected " + expected.toText());
                }
            }
            try (Reflog reflog = Reflog.open(raw, scratch)) {
                if (!reflog.fqrn().equals(fqrn)) {
                    fault(FaultKind.REFLOG, "reflog belongs to repository '" + reflog.fqrn() + "', not " + fqrn);
                }
                Stream.of(manifest.rootCatalog(), manifest.certificate(), manifest.history(), manifest.metaInfo())
                        .filter(h -> h != null && !reflog.contains(h))
                        .forEach(h -> fault(FaultKind.REFLOG, "reflog does not list " + h));
            } catch (RuntimeException e) {
                fault(FaultKind.REFLOG, e.getMessage());
            }
        }

        /** Checks the history; returns the tag asked for with {@code -t}, if found. */
        Optional<Tag> checkHistory(Manifest manifest) {
            Optional<String> wanted = options.tag();
            if (manifest.history() == null) {
                wanted.ifPresent(t -> fault(FaultKind.HISTORY, "tag '" + t + "' asked for, but the manifest names"
                        + " no history (H)"));
                return Optional.empty();
            }
            try (TagDatabase history = TagDatabase.open(Zlib.inflate(source.fetchObject(manifest.history()),
                    TagDatabase.MAX_INFLATED_BYTES), scratch)) {
                checkedObjects.add(manifest.history());
                if (!history.fqrn().equals(fqrn)) {
                    fault(FaultKind.HISTORY, "history " + manifest.history() + " belongs to repository '"
                            + history.fqrn() + "', not " + fqrn);
                }
                tags.addAll(history.tags());
            } catch (RuntimeException e) {
                fault(FaultKind.HISTORY, "history " + manifest.history() + ": " + e.getMessage());
                wanted.ifPresent(t -> fault(FaultKind.HISTORY, "tag '" + t + "' cannot be looked up"));
                return Optional.empty();
            }
            if (tags.isEmpty()) {
                fault(FaultKind.HISTORY, "history " + manifest.history() + " has no tags (not even " + Tag.HEAD + ")");
            }
            Optional<Tag> head = tags.stream().filter(t -> t.name().equals(Tag.HEAD)).findFirst();
            if (head.isEmpty() && !tags.isEmpty()) {
                fault(FaultKind.HISTORY, "history has no " + Tag.HEAD + " tag");
            }
            head.filter(t -> !t.target().rootCatalog().equals(manifest.rootCatalog())
                            || t.target().revision() != manifest.revision())
                    .ifPresent(t -> fault(FaultKind.HISTORY, Tag.HEAD + " points to revision " + t.target().revision()
                            + " (" + t.target().rootCatalog() + "), the manifest to revision " + manifest.revision()
                            + " (" + manifest.rootCatalog() + ")"));
            for (Tag t : tags) {
                if (t.target().revision() > manifest.revision()) {
                    fault(FaultKind.HISTORY, "tag '" + t.name() + "' points to revision " + t.target().revision()
                            + ", newer than the published revision " + manifest.revision());
                }
            }
            if (wanted.isEmpty()) {
                return Optional.empty();
            }
            Optional<Tag> found = tags.stream().filter(t -> t.name().equals(wanted.get())).findFirst();
            if (found.isEmpty()) {
                fault(FaultKind.HISTORY, "no tag named '" + wanted.get() + "' in history " + manifest.history());
            }
            return found;
        }

        void checkCatalogs(ContentHash root, long size, long revision) {
            checkedObjects.add(root); // loading it is the verifier's check, reported as a catalog fault
            for (CatalogFault f : new CatalogVerifier(source, scratch).verify(root, size, false)) {
                if (f.warning()) {
                    warnings.add(FaultKind.CATALOG.label() + ": " + f);
                } else {
                    fault(FaultKind.CATALOG, f.toString());
                }
            }
            try (CatalogHierarchy catalogs = CatalogHierarchy.open(source, root, scratch)) {
                long actual = catalogs.rootCatalog().revision();
                if (actual != revision) {
                    fault(FaultKind.CATALOG, "root catalog " + root + " has revision " + actual + ", expected "
                            + revision);
                }
                if (options.checkObjects()) {
                    walkObjects(catalogs);
                }
            } catch (RuntimeException e) {
                // the verifier has already reported why the root catalog cannot be read
            }
        }

        /** Fetches every file and chunk object below the root once; the source verifies each hash. */
        void walkObjects(CatalogHierarchy catalogs) {
            Deque<RepositoryPath> directories = new ArrayDeque<>();
            directories.add(options.subtree().orElse(RepositoryPath.ROOT));
            while (!directories.isEmpty()) {
                RepositoryPath dir = directories.poll();
                List<DirectoryEntry> listing;
                try {
                    listing = catalogs.listing(dir);
                } catch (CatalogException | CorruptObjectException | MissingObjectException | RepositoryFetchException e) {
                    continue; // an unreadable catalog: the verifier has reported it
                }
                for (DirectoryEntry e : listing) {
                    RepositoryPath path = dir.child(e.name());
                    if (e.isDirectory() && !e.bindMountpoint()) {
                        directories.add(path);
                    } else if (e.isRegular() && !e.external()) {
                        if (e.chunked()) {
                            try {
                                for (Chunk c : catalogs.chunks(path)) {
                                    checkObject(c.hash(), path.toString());
                                }
                            } catch (CatalogException ex) {
                                // reported by the verifier as a broken chunk list
                            }
                        }
                        if (e.hash() != null) {
                            checkObject(e.hash(), path.toString());
                        }
                    }
                }
            }
        }

        void checkObject(ContentHash hash, String referrer) {
            if (!checkedObjects.add(hash)) {
                return;
            }
            try {
                source.fetchObject(hash);
            } catch (MissingObjectException e) {
                fault(FaultKind.OBJECT, referrer + ": object " + hash + " is missing");
            } catch (CorruptObjectException e) {
                fault(FaultKind.OBJECT, referrer + ": object " + hash + " is corrupt: " + e.getMessage());
            } catch (RepositoryFetchException e) {
                fault(FaultKind.OBJECT, referrer + ": object " + hash + " cannot be read: " + e.getMessage());
            }
        }
    }
}
