package org.cvmfs.suite.protocol.repository.gc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.catalog.Catalog;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.NestedCatalogRef;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.history.Tag;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.RepositoryKeys;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.HeadPublisher;
import org.cvmfs.suite.protocol.repository.RepositoryException;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryLock;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * {@code cvmfs_server gc} of a garbage-collectable Stratum-0 ({@code CVMFS_GARBAGE_COLLECTION=true},
 * manifest {@code G yes}): mark what the revisions to keep reference, sweep the rest.
 *
 * <p>Kept, as upstream keeps it: the head, the trunk revisions the options preserve (following
 * each root catalog's previous revision), every tagged revision of the head's history, and the
 * head's certificate, history and meta information. Marked is every catalog, file and chunk below
 * those roots. Swept is every object in {@code data/} that is not marked — what condemned
 * revisions referenced, and also orphans that failed or aborted publications uploaded and no
 * revision ever named — plus upload leftovers in {@code data/txn} and the scratch that killed
 * commits left in the spool's {@code tmp/}. Nothing younger than the grace period is touched.
 *
 * <p>Runs holding the repository's lock ({@link RepositoryLock}: no publication of this host
 * runs meanwhile). Order on disk, each step safe to interrupt: (1) an interrupted publication is
 * finished or dropped; (2) if the reflog lists objects that are not kept, the head is re-signed
 * with those entries removed ({@link HeadPublisher#resignWithReflog}, crash-safe itself); (3) the
 * sweep. A crash before (3) leaves unlisted orphans, which the next run sweeps; a crash during (3)
 * leaves fewer of them. Kept revisions are complete at every instant.
 */
public final class GarbageCollector {
    private final RepositoryLayout layout;
    private final RepositoryKeys keys;
    private final Clock clock;

    public GarbageCollector(RepositoryLayout layout, RepositoryKeys keys, Clock clock) {
        this.layout = layout;
        this.keys = keys;
        this.clock = clock;
    }

    /** Raised when {@code stop} said so between two deletions; what was done so far stays done. */
    public static final class StoppedException extends RuntimeException {
        private final transient GcReport partial;

        StoppedException(GcReport partial) {
            super("garbage collection stopped after deleting " + partial.deletedObjects() + " object(s)");
            this.partial = partial;
        }

        public GcReport partial() {
            return partial;
        }
    }

    /**
     * Collects garbage.
     *
     * @param deleted told of every object path removed (or, in a dry run, that would be), for
     *                {@code -l} and {@code -L}
     * @param stop    polled between deletions: true ends the run early (a timeout)
     */
    public GcReport collect(GcOptions options, Consumer<String> deleted, BooleanSupplier stop) {
        try (RepositoryLock lock = RepositoryLock.acquire(layout)) {
            if (!options.dryRun()) {
                HeadPublisher.recover(layout);
            }
            Manifest head = readHead();
            if (!head.garbageCollectable()) {
                throw new RepositoryException("Garbage Collection is not enabled for " + layout.fqrn());
            }
            Path scratch = DirectoryTree.createScratch(layout.tmpDir(), "gc.");
            try {
                return collectLocked(head, options, deleted, stop, scratch);
            } finally {
                DirectoryTree.delete(scratch);
            }
        }
    }

    private GcReport collectLocked(Manifest head, GcOptions options, Consumer<String> deleted, BooleanSupplier stop,
                                   Path scratch) {
        LocalRepositorySource source = new LocalRepositorySource(layout.servedRoot());
        List<ContentHash> roots = keptRoots(head, options, source, scratch);
        Set<String> marked = new HashSet<>();
        for (ContentHash h : new ContentHash[] {head.certificate(), head.history(), head.metaInfo()}) {
            if (h != null) {
                marked.add(h.objectPath());
            }
        }
        for (ContentHash root : roots) {
            mark(root, source, scratch, marked);
        }
        List<ContentHash> condemned = new ArrayList<>();
        List<ContentHash> unlisted = new ArrayList<>();
        // a head without Y (an old repository) has no reflog to prune; the sweep still runs
        try (Reflog reflog = head.reflog() == null ? Reflog.create(scratch, layout.fqrn())
                : Reflog.fetch(source, head.reflog(), scratch)) {
            for (Reflog.Entry e : reflog.entries()) {
                if (!marked.contains(e.object().objectPath())) {
                    unlisted.add(e.object());
                    if (e.object().suffix() == ObjectSuffix.CATALOG) {
                        condemned.add(e.object());
                    }
                }
            }
        }
        if (!options.dryRun() && !unlisted.isEmpty()) {
            new HeadPublisher(layout, keys, clock).resignWithReflog(r -> unlisted.forEach(r::remove));
            // the re-signed head names the same certificate, history and meta information
        }
        Sweep sweep = new Sweep(options, deleted, stop, roots, condemned);
        sweep.objects(marked);
        sweep.leftovers(layout.dataDir().resolve("txn"));
        sweep.leftovers(layout.tmpDir(), scratch);
        return sweep.report();
    }

    /** The head, the trunk revisions the options keep, and every tagged revision. */
    private List<ContentHash> keptRoots(Manifest head, GcOptions options, LocalRepositorySource source, Path scratch) {
        LinkedHashSet<ContentHash> roots = new LinkedHashSet<>();
        roots.add(head.rootCatalog());
        Optional<ContentHash> previous = previousOf(head.rootCatalog(), source, scratch);
        int behind = 1;
        while (previous.isPresent() && layoutHas(previous.get())) {
            ContentHash root = previous.get();
            boolean keep;
            if (options.preserveRevisions().isPresent()) {
                keep = behind <= options.preserveRevisions().getAsInt();
            } else {
                Instant since = options.preserveSince().orElse(Instant.MAX);
                keep = !Instant.ofEpochSecond(lastModified(root, source, scratch)).isBefore(since);
            }
            if (!keep) {
                break;
            }
            roots.add(root);
            previous = previousOf(root, source, scratch);
            behind++;
        }
        if (head.history() != null) {
            try (TagDatabase history = TagDatabase.fetch(source, head.history(), scratch)) {
                for (Tag tag : history.tags()) {
                    roots.add(tag.target().rootCatalog());
                }
            }
        }
        return List.copyOf(roots);
    }

    private boolean layoutHas(ContentHash catalog) {
        return new ObjectStore(layout.servedRoot()).contains(catalog.withSuffix(ObjectSuffix.CATALOG));
    }

    private static Catalog load(ContentHash root, LocalRepositorySource source, Path scratch) {
        return Catalog.fetch(source, root.withSuffix(ObjectSuffix.CATALOG), scratch, "root catalog " + root);
    }

    private static Optional<ContentHash> previousOf(ContentHash root, LocalRepositorySource source, Path scratch) {
        try (Catalog c = load(root, source, scratch)) {
            return c.previousRevision();
        }
    }

    private static long lastModified(ContentHash root, LocalRepositorySource source, Path scratch) {
        try (Catalog c = load(root, source, scratch)) {
            return c.lastModified();
        }
    }

    /** Marks every catalog, file and chunk object below {@code root}. */
    private static void mark(ContentHash root, LocalRepositorySource source, Path scratch, Set<String> marked) {
        if (!marked.add(root.withSuffix(ObjectSuffix.CATALOG).objectPath())) {
            return; // a revision kept twice (tag and trunk)
        }
        try (CatalogHierarchy tree = CatalogHierarchy.open(source, root, scratch)) {
            Deque<RepositoryPath> directories = new ArrayDeque<>();
            directories.add(RepositoryPath.ROOT);
            while (!directories.isEmpty()) {
                RepositoryPath dir = directories.poll();
                for (DirectoryEntry e : tree.listing(dir)) {
                    RepositoryPath path = dir.child(e.name());
                    if (e.isDirectory()) {
                        if (e.nestedMountpoint()) {
                            tree.nestedCatalog(path).map(NestedCatalogRef::hash)
                                    .ifPresent(h -> marked.add(h.withSuffix(ObjectSuffix.CATALOG).objectPath()));
                        }
                        if (!e.bindMountpoint()) {
                            directories.add(path);
                        }
                    } else if (e.isRegular() && !e.external()) {
                        if (e.hash() != null) {
                            marked.add(e.hash().objectPath());
                        }
                        if (e.chunked()) {
                            for (Chunk c : tree.chunks(path)) {
                                marked.add(c.hash().objectPath());
                            }
                        }
                    }
                }
            }
        }
    }

    private Manifest readHead() {
        try {
            return SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest();
        } catch (NoSuchFileException e) {
            throw new RepositoryException("repository " + layout.fqrn() + " has no manifest at " + layout.manifest());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + layout.manifest(), e);
        }
    }

    /** The deleting half, with its counters. */
    private final class Sweep {
        private final GcOptions options;
        private final Consumer<String> deleted;
        private final BooleanSupplier stop;
        private final List<ContentHash> kept;
        private final List<ContentHash> condemned;
        private final Instant youngest;
        private long objects;
        private long bytes;
        private int leftovers;

        Sweep(GcOptions options, Consumer<String> deleted, BooleanSupplier stop, List<ContentHash> kept,
              List<ContentHash> condemned) {
            this.options = options;
            this.deleted = deleted;
            this.stop = stop;
            this.kept = kept;
            this.condemned = condemned;
            this.youngest = clock.instant().minus(options.grace());
        }

        GcReport report() {
            return new GcReport(kept, condemned, objects, bytes, leftovers, options.dryRun());
        }

        void objects(Set<String> marked) {
            Path data = layout.dataDir();
            try (DirectoryStream<Path> prefixes = Files.newDirectoryStream(data, p -> isPrefixDir(p))) {
                for (Path prefix : prefixes) {
                    try (DirectoryStream<Path> files = Files.newDirectoryStream(prefix)) {
                        for (Path file : files) {
                            String name = prefix.getFileName() + "/" + file.getFileName();
                            if (marked.contains(name)) {
                                continue;
                            }
                            BasicFileAttributes a = attributes(file);
                            if (a == null || !a.isRegularFile() || isYoung(a)) {
                                continue;
                            }
                            checkStop();
                            if (!options.dryRun()) {
                                Files.deleteIfExists(file);
                            }
                            deleted.accept(name);
                            objects++;
                            bytes += a.size();
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sweep " + data, e);
            }
        }

        /** Entries of {@code dir} older than the grace period, {@code except} one. */
        void leftovers(Path dir, Path... except) {
            if (!Files.isDirectory(dir)) {
                return;
            }
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    if (List.of(except).contains(p)) {
                        continue;
                    }
                    BasicFileAttributes a = attributes(p);
                    if (a == null || isYoung(a)) {
                        continue;
                    }
                    checkStop();
                    if (!options.dryRun()) {
                        DirectoryTree.delete(p);
                    }
                    leftovers++;
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot sweep " + dir, e);
            }
        }

        private void checkStop() {
            if (stop.getAsBoolean()) {
                throw new StoppedException(report());
            }
        }

        private boolean isYoung(BasicFileAttributes a) {
            return a.lastModifiedTime().toInstant().isAfter(youngest);
        }
    }

    private static boolean isPrefixDir(Path p) {
        String name = p.getFileName().toString();
        return name.length() == 2 && name.chars().allMatch(c -> Character.digit(c, 16) >= 0) && Files.isDirectory(p);
    }

    private static BasicFileAttributes attributes(Path p) {
        try {
            return Files.readAttributes(p, BasicFileAttributes.class, java.nio.file.LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException gone) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + p, e);
        }
    }
}
