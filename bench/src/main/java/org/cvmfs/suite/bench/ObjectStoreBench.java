package org.cvmfs.suite.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.IngestSettings;
import org.cvmfs.suite.protocol.ingest.ObjectStoreSink;
import org.cvmfs.suite.protocol.ingest.ProcessedContent;
import org.cvmfs.suite.protocol.store.ObjectStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * How fast files become objects in a local object store (chunking, zlib, SHA-1, staging,
 * write-then-link), with 1 and 2 threads, against the floor set by zlib and SHA-1 alone: the
 * same bytes through a bare Deflater + SHA-1 loop in one thread, measured in the same run.
 *
 * <p>Usage: {@code bench/run.sh objectstore [OPTIONS]} ({@code --help} lists them); defaults:
 * 20000 files of 1-64 KiB and 3 files of 64 MiB in a new temporary directory, deleted afterwards.
 */
@Command(name = "bench/run.sh objectstore", mixinStandardHelpOptions = true,
        description = "Files to objects: the bare Deflater+SHA-1 loop against the content processor.")
public final class ObjectStoreBench implements Callable<Integer> {
    @Option(names = "--small-files", paramLabel = "N", description = "small files in the corpus (default ${DEFAULT-VALUE})")
    int smallFiles = 20_000;

    @Option(names = "--large-files", paramLabel = "N", description = "large files in the corpus (default ${DEFAULT-VALUE})")
    int largeFiles = 3;

    @Option(names = "--large-mib", paramLabel = "MIB", description = "size of each large file (default ${DEFAULT-VALUE})")
    long largeMib = 64;

    @Option(names = "--dir", paramLabel = "PATH", description = "where the corpus goes (default: a temporary directory)")
    Path base;

    @Option(names = "--keep", description = "keep the corpus and stores")
    boolean keep;

    private ObjectStoreBench() {
    }

    public static void main(String[] args) {
        System.exit(new CommandLine(new ObjectStoreBench()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        Path dir = base == null ? Files.createTempDirectory("objectstore-bench") : Files.createDirectories(base);
        try {
            run(dir, smallFiles, largeFiles, largeMib << 20);
        } finally {
            if (!keep) {
                DirectoryTree.delete(dir);
            }
        }
        return 0;
    }

    private static void run(Path dir, int smallFiles, int largeFiles, long largeSize) throws Exception {
        long t0 = System.nanoTime();
        Corpus corpus = Corpus.generate(dir.resolve("corpus"), smallFiles, 1024, 64 * 1024, largeFiles, largeSize, 2024);
        System.out.printf(Locale.ROOT, "corpus: %d small files of 1-64 KiB + %d files of %d MiB = %.1f MB (generated in %.1f s)%n",
                smallFiles, largeFiles, largeSize >> 20, corpus.totalBytes() / 1e6, seconds(System.nanoTime() - t0));
        System.out.printf(Locale.ROOT, "cpus: %d, java %s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"));

        // warm the page cache and the JIT on the same code paths before measuring
        BareLoop.oneCore(corpus.files().subList(0, Math.min(2000, corpus.files().size())));
        long stored = storeAll(corpus.files(), dir.resolve("warmup"), 2);
        DirectoryTree.delete(dir.resolve("warmup"));

        double bareSeconds = BareLoop.oneCore(corpus.files());
        double mbBare = corpus.totalBytes() / 1e6 / bareSeconds;
        System.out.printf(Locale.ROOT, "bare Deflater(6)+SHA-1, 1 thread : %8.1f MB/s (%.2f s)%n", mbBare, bareSeconds);
        for (int threads : new int[] {1, 2}) {
            Path repo = dir.resolve("repo-" + threads);
            long t = System.nanoTime();
            storeAll(corpus.files(), repo, threads);
            double s = seconds(System.nanoTime() - t);
            double mb = corpus.totalBytes() / 1e6 / s;
            System.out.printf(Locale.ROOT, "object store, %d thread%s        : %8.1f MB/s (%.2f s, %.0f files/s), ratio to bare %.2f%n",
                    threads, threads == 1 ? " " : "s", mb, s, corpus.files().size() / s, mb / mbBare);
            Results.print("objectstore: object store, " + threads + " thread(s) / bare Deflater+SHA-1", mb, mbBare, "MB/s");
            DirectoryTree.delete(repo);
        }
        System.out.printf(Locale.ROOT, "stored bytes: %.1f MB (compression ratio %.2f)%n",
                stored / 1e6, (double) stored / corpus.totalBytes());
    }

    /** Stores every file through the content processor; returns the stored bytes. */
    private static long storeAll(List<Path> files, Path repo, int threads) throws IOException {
        ObjectStore store = new ObjectStore(repo);
        store.createSkeleton();
        java.util.concurrent.atomic.AtomicLong storedBytes = new java.util.concurrent.atomic.AtomicLong();
        ObjectStoreSink sink = new ObjectStoreSink(store);
        try (ContentProcessor processor = new ContentProcessor(IngestSettings.defaults(), (hash, object) -> {
            storedBytes.addAndGet(object.size());
            sink.accept(hash, object);
        }, threads, repo.resolve("spill"))) {
            List<ProcessedContent> results = processor.processAll(files);
            if (results.size() != files.size()) {
                throw new IllegalStateException("processed " + results.size() + " of " + files.size() + " files");
            }
        }
        return storedBytes.get();
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

}
