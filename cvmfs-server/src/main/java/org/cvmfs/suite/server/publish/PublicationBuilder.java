package org.cvmfs.suite.server.publish;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
 */
public final class PublicationBuilder {
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
        return build(base, baseRoot, changes, workTree, processor, catalogStore, tmpDir, clock, new PhaseTimes());
    }

    static Built build(RepositorySource base, ContentHash baseRoot, ChangeSet changes, Path workTree,
                       ContentProcessor processor, ObjectStore catalogStore, Path tmpDir, Clock clock,
                       PhaseTimes phases) {
        List<ScannedEntry> files = changes.contentToProcess();
        Map<ScannedEntry.FileKey, CompletableFuture<ProcessedContent>> pending = new LinkedHashMap<>();
        for (ScannedEntry f : files) {
            pending.put(f.fileKey(), processor.submit(Materializer.fileOf(workTree, changes.root(), f.path())));
        }
        Map<ScannedEntry.FileKey, ProcessedContent> content = new HashMap<>();
        long bytes = 0;
        for (Map.Entry<ScannedEntry.FileKey, CompletableFuture<ProcessedContent>> e : pending.entrySet()) {
            ProcessedContent c = ContentProcessor.await(e.getValue());
            content.put(e.getKey(), c);
            bytes += c.size();
        }
        phases.end("compress+hash");
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
        CatalogCommit commit;
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(base, baseRoot, tmpDir)) {
            CatalogUpdater.apply(catalogs, changes, content);
            phases.end("catalog edits");
            commit = catalogs.commit(catalogStore, processor.settings().algorithm(), clock);
        }
        phases.end("catalog commit");
        return new Built(commit, ids, files.size(), bytes);
    }
}
