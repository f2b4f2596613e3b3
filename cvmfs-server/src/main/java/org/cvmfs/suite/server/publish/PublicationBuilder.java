package org.cvmfs.suite.server.publish;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * The gateway-independent half of a publication: the changed files of a working tree become
 * objects (through the processor's sink), and the base catalogs plus the change set become new
 * catalogs, committed into {@code catalogStore}. What it returns is what the commit request and
 * the next snapshot need.
 *
 * <p>The work overlaps: a feeder thread hands the files to the processor (which blocks it when
 * enough are queued) while this thread writes the catalog rows, each file's row as soon as its
 * content is processed; compression, hashing, upload (in the processor's sink) and catalog
 * writes thus keep every core busy instead of running one after the other.
 */
public final class PublicationBuilder {
    /** How many files further on the catalog thread waits when the next file's content is not ready. */
    private static final int AWAIT_BATCH = 16;

    private PublicationBuilder() {
    }

    /**
     * @param contentIds what each processed regular file now holds, for the next snapshot
     */
    public record Built(CatalogCommit commit, Map<RepositoryPath, String> contentIds, int filesProcessed,
                        long bytesProcessed) {
    }

    public static Built build(RepositorySource base, ContentHash baseRoot, ChangeSet changes, Path workTree,
                              ContentProcessor processor, ObjectStore catalogStore, Path tmpDir, Clock clock) {
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(base, baseRoot, tmpDir)) {
            return build(catalogs, changes, workTree, processor, catalogStore, clock, new PhaseTimes());
        }
    }

    /** As above, on the base catalogs the caller opened (and closes). */
    static Built build(WritableCatalogManager catalogs, ChangeSet changes, Path workTree, ContentProcessor processor,
                       ObjectStore catalogStore, Clock clock, PhaseTimes phases) {
        List<ScannedEntry> files = changes.contentToProcess();
        Map<ScannedEntry.FileKey, CompletableFuture<ProcessedContent>> pending = new LinkedHashMap<>();
        Map<ScannedEntry.FileKey, Integer> positions = new HashMap<>();
        for (ScannedEntry f : files) {
            pending.computeIfAbsent(f.fileKey(), k -> new CompletableFuture<>());
            positions.putIfAbsent(f.fileKey(), positions.size());
        }
        List<CompletableFuture<ProcessedContent>> inOrder = List.copyOf(pending.values());
        Thread feeder = new Thread(() -> feed(files, pending, workTree, changes.root(), processor), "publish-feeder");
        feeder.setDaemon(true);
        feeder.start();
        Map<ScannedEntry.FileKey, ProcessedContent> content = new HashMap<>();
        CatalogCommit commit;
        try {
            CatalogUpdater.apply(catalogs, changes, key -> content.computeIfAbsent(key, k -> {
                CompletableFuture<ProcessedContent> f = pending.get(k);
                if (f == null) {
                    throw new IllegalStateException("no processed content for file " + k);
                }
                if (!f.isDone()) {
                    // wait for a later file as well (they are processed about in order), so that
                    // this thread wakes once per batch of processed files, not once per file
                    inOrder.get(Math.min(positions.get(k) + AWAIT_BATCH, inOrder.size() - 1))
                            .handle((c, e) -> null).join();
                }
                return ContentProcessor.await(f);
            }));
            phases.end("compress+hash+catalog edits");
            // content no catalog row asked for (none today): still processed, still awaited
            pending.forEach((k, f) -> content.computeIfAbsent(k, x -> ContentProcessor.await(f)));
            commit = catalogs.commit(catalogStore, processor.settings().algorithm(), clock);
        } finally {
            pending.values().forEach(f -> f.cancel(false));
            awaitFeeder(feeder);
        }
        phases.end("catalog commit");
        long bytes = content.values().stream().mapToLong(ProcessedContent::size).sum();
        Map<RepositoryPath, String> ids = new HashMap<>();
        for (ScannedEntry e : changes.additions()) {
            if (e.isRegular()) {
                ids.put(e.path(), ContentId.of(content.get(e.fileKey())));
            }
        }
        for (ChangeSet.Modification m : changes.modifications()) {
            if (m.after().isRegular()) {
                ids.put(m.path(), ContentId.of(content.get(m.after().fileKey())));
            }
        }
        return new Built(commit, ids, files.size(), bytes);
    }

    /** Submits every file in order; the first failure (or a cancelled slot) fails the rest. */
    private static void feed(List<ScannedEntry> files, Map<ScannedEntry.FileKey, CompletableFuture<ProcessedContent>> slots,
                             Path workTree, RepositoryPath root, ContentProcessor processor) {
        RuntimeException failure = null;
        for (ScannedEntry f : files) {
            CompletableFuture<ProcessedContent> slot = slots.get(f.fileKey());
            if (failure != null || slot.isDone()) {
                slot.completeExceptionally(failure != null ? failure : new CompletionException(
                        new IllegalStateException("publication stopped")));
                continue;
            }
            try {
                processor.submit(Materializer.fileOf(workTree, root, f.path()), f.size()).whenComplete((c, e) -> {
                    if (e != null) {
                        slot.completeExceptionally(e);
                    } else {
                        slot.complete(c);
                    }
                });
            } catch (RuntimeException e) {
                failure = e;
                slot.completeExceptionally(e);
            }
        }
    }

    private static void awaitFeeder(Thread feeder) {
        try {
            feeder.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
