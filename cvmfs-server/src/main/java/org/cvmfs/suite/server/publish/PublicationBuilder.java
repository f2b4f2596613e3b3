package org.cvmfs.suite.server.publish;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
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
 * writes thus keep every core busy instead of running one after the other. Both threads go
 * through the files in one order, a bounded {@link ContentQueue} apart, so that nothing is kept
 * per file once its row is written.
 */
public final class PublicationBuilder {
    /** How many files the feeder may be ahead of the catalog rows: far more than the processor queues. */
    private static final int FEED_AHEAD = 256;

    private PublicationBuilder() {
    }

    /**
     * @param contentIds what each processed regular file now holds, for the next snapshot (empty
     *                   unless asked for)
     */
    public record Built(CatalogCommit commit, Map<RepositoryPath, String> contentIds, int filesProcessed,
                        long bytesProcessed) {
    }

    public static Built build(RepositorySource base, ContentHash baseRoot, ChangeSet changes, Path workTree,
                              ContentProcessor processor, ObjectStore catalogStore, Path tmpDir, Clock clock) {
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(base, baseRoot, tmpDir)) {
            return build(catalogs, changes, workTree, processor, catalogStore, clock, new PhaseTimes(), true);
        }
    }

    /**
     * As above, on the base catalogs the caller opened (and closes).
     *
     * @param withContentIds whether to record every processed file's content id, which only a
     *                       snapshot of the whole working tree (a copy) keeps
     */
    static Built build(WritableCatalogManager catalogs, ChangeSet changes, Path workTree, ContentProcessor processor,
                       ObjectStore catalogStore, Clock clock, PhaseTimes phases, boolean withContentIds) {
        ContentQueue queue = new ContentQueue(FEED_AHEAD);
        Thread feeder = new Thread(() -> feed(changes.contentToProcess(), queue, workTree, changes.root(), processor),
                "publish-feeder");
        feeder.setDaemon(true);
        feeder.start();
        Map<RepositoryPath, String> ids = new HashMap<>();
        CatalogCommit commit;
        try {
            CatalogUpdater.apply(catalogs, changes, file -> {
                ProcessedContent content = queue.take(file);
                if (withContentIds) {
                    ids.put(file.path(), ContentId.of(content));
                }
                return content;
            });
            queue.finish();
            phases.end("compress+hash+catalog edits");
            commit = catalogs.commit(catalogStore, processor.settings().algorithm(), clock);
        } finally {
            queue.abandon();
            awaitFeeder(feeder);
        }
        phases.end("catalog commit");
        return new Built(commit, ids, queue.files(), queue.bytes());
    }

    /** Submits every file in order; the first failure is passed on in its file's place and ends the feed. */
    private static void feed(Stream<ScannedEntry> files, ContentQueue queue, Path workTree, RepositoryPath root,
                             ContentProcessor processor) {
        try (files) {
            for (ScannedEntry f : (Iterable<ScannedEntry>) files::iterator) {
                CompletableFuture<ProcessedContent> content;
                boolean failed = false;
                try {
                    content = processor.submit(Materializer.fileOf(workTree, root, f.path()), f.size());
                } catch (RuntimeException e) {
                    content = CompletableFuture.failedFuture(e);
                    failed = true;
                }
                if (!queue.put(f.fileKey(), content) || failed) {
                    return;
                }
            }
        } finally {
            queue.close();
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
