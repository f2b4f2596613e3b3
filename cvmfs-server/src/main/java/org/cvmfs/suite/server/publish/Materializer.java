package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.EntryKind;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.name.FileSystemNames;
import org.cvmfs.suite.protocol.store.CorruptObjectException;

/**
 * Makes the working tree hold the leased subtree as the base catalogs describe it: directories,
 * symbolic links and regular files with their modes and mtimes (and owners when running as
 * root). Content is fetched through the {@link ObjectCache}, in parallel; files the previous
 * snapshot proves to hold the right content already are kept, so a second transaction on the
 * same subtree only touches what changed in between. Hard-link groups become separate files,
 * as the gateway stores them. Special files and hidden entries are left out of the working tree
 * (and so stay untouched in the catalogs); external files cannot be materialised. Names and
 * symlink targets are created with their exact bytes ({@link FileSystemNames}).
 */
public final class Materializer {
    private static final Set<PosixFilePermission> OWNER_RWX = EnumSet.of(PosixFilePermission.OWNER_READ,
            PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_EXECUTE);

    private final ObjectCache source;
    private final int threads;
    private final boolean root;
    private final Consumer<String> warnings;

    /** Statistics of one run, for the user and for tests. */
    public record Result(TreeSnapshot snapshot, int filesWritten, int filesKept, long bytesWritten) {
    }

    private record Wanted(RepositoryPath path, DirectoryEntry entry, List<Chunk> chunks, String contentId) {
    }

    public Materializer(ObjectCache source, int threads, Consumer<String> warnings) {
        this.source = source;
        this.threads = threads;
        this.root = ProcessOwner.current().isRoot();
        this.warnings = warnings;
    }

    /**
     * Brings {@code workTree} to the state of {@code leasePath} in {@code catalogs}. The
     * previous snapshot (or {@link TreeSnapshot#empty}) tells which existing files can be kept.
     * The returned snapshot is settled: taken after the file system clock moved on.
     */
    public Result materialize(CatalogHierarchy catalogs, RepositoryPath leasePath, Path workTree,
                              TreeSnapshot previous, Path probe) {
        Optional<DirectoryEntry> top = catalogs.lookup(leasePath);
        if (top.isPresent() && !top.get().isDirectory()) {
            throw new IllegalStateException("lease path " + leasePath + " is a " + top.get().kind()
                    .name().toLowerCase(java.util.Locale.ROOT) + ", not a directory");
        }
        if (top.isEmpty()) {
            // the lease covers a path that does not exist yet: an empty directory to fill
            try {
                DirectoryTree.delete(workTree);
                Files.createDirectories(workTree);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot prepare working tree " + workTree, e);
            }
            TreeSnapshot.awaitClockTick(probe);
            return new Result(TreeSnapshot.empty(leasePath), 0, 0, 0);
        }
        TreeMap<RepositoryPath, Wanted> wanted = new TreeMap<>();
        collect(catalogs, leasePath, top.get(), wanted);

        Map<RepositoryPath, ScannedEntry> existing = prepare(workTree, leasePath, previous);
        List<Wanted> toWrite = new ArrayList<>();
        Set<RepositoryPath> untouched = new HashSet<>();
        int kept = 0;
        // children before parents, so a directory is empty by the time it has to go
        for (ScannedEntry have : existing.values().stream().sorted((a, b) -> b.path().compareTo(a.path())).toList()) {
            Wanted want = wanted.get(have.path());
            if (want == null || want.entry.kind() != have.kind()
                    || (have.isSymlink() && !have.symlinkTarget().equals(want.entry.symlink()))) {
                delete(workTree, leasePath, have);
            }
        }
        for (Wanted want : wanted.values()) {
            Path file = fileOf(workTree, leasePath, want.path);
            ScannedEntry have = existing.get(want.path);
            boolean present = have != null && have.kind() == want.entry.kind()
                    && (!have.isSymlink() || have.symlinkTarget().equals(want.entry.symlink()));
            try {
                switch (want.entry.kind()) {
                    case DIRECTORY -> {
                        if (!present) {
                            Files.createDirectories(file);
                        }
                    }
                    case SYMLINK -> {
                        if (present) {
                            untouched.add(want.path);
                        } else {
                            Files.createSymbolicLink(file, FileSystemNames.linkTargetPath(want.entry.symlink()));
                        }
                    }
                    case REGULAR -> {
                        if (present && previous.settledContent(have).filter(want.contentId::equals).isPresent()) {
                            kept++;
                            untouched.add(want.path);
                        } else {
                            toWrite.add(want);
                        }
                    }
                    default -> throw new IllegalStateException("unexpected " + want.entry.kind() + " at " + want.path);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create " + want.path + " in " + workTree, e);
            }
        }
        long bytes = writeFiles(workTree, leasePath, toWrite);
        // attributes last, deepest first: a directory's mtime moves whenever its content does;
        // a file or link left in place that has them already is not touched again
        Map<RepositoryPath, String> contents = new HashMap<>();
        for (Wanted want : wanted.descendingMap().values()) {
            if (!untouched.contains(want.path) || !hasAttributes(existing.get(want.path), want.entry)) {
                applyAttributes(fileOf(workTree, leasePath, want.path), want);
            }
            if (want.contentId != null) {
                contents.put(want.path, want.contentId);
            }
        }
        TreeSnapshot.awaitClockTick(probe);
        return new Result(TreeSnapshot.take(workTree, leasePath, probe, contents), toWrite.size(), kept, bytes);
    }

    private void collect(CatalogHierarchy catalogs, RepositoryPath path, DirectoryEntry entry,
                         Map<RepositoryPath, Wanted> wanted) {
        List<RepositoryPath> pending = new ArrayList<>();
        wanted.put(path, new Wanted(path, entry, List.of(), null));
        pending.add(path);
        while (!pending.isEmpty()) {
            RepositoryPath dir = pending.remove(pending.size() - 1);
            for (DirectoryEntry child : catalogs.listing(dir)) {
                RepositoryPath p = dir.child(child.name());
                if (child.hidden()) {
                    continue;
                }
                switch (child.kind()) {
                    case DIRECTORY -> {
                        wanted.put(p, new Wanted(p, child, List.of(), null));
                        pending.add(p);
                    }
                    case SYMLINK -> wanted.put(p, new Wanted(p, child, List.of(), null));
                    case REGULAR -> {
                        if (child.external()) {
                            throw new IllegalStateException("cannot materialise " + p
                                    + ": it is an external file, whose content is not in the repository");
                        }
                        List<Chunk> chunks = child.chunked() ? catalogs.chunks(p) : List.of();
                        wanted.put(p, new Wanted(p, child, chunks, ContentId.of(child, chunks)));
                    }
                    case SPECIAL -> warnings.accept("left out special file " + p
                            + " from the working tree; it stays in the repository unless its directory is removed");
                }
            }
        }
    }

    /**
     * Scans what the working tree holds now. A tree that belongs to another subtree, or that
     * cannot be scanned, is wiped instead.
     */
    private Map<RepositoryPath, ScannedEntry> prepare(Path workTree, RepositoryPath leasePath, TreeSnapshot previous) {
        try {
            if (Files.isDirectory(workTree, LinkOption.NOFOLLOW_LINKS) && previous.tree().root().equals(leasePath)) {
                try {
                    ScannedTree current = TreeScanner.scan(workTree, leasePath);
                    if (!root) {
                        for (ScannedEntry e : current.entries().values()) {
                            if (e.isDirectory()) {
                                Files.setPosixFilePermissions(fileOf(workTree, leasePath, e.path()), OWNER_RWX);
                            }
                        }
                    }
                    return current.entries();
                } catch (TreeScanException unusable) {
                    warnings.accept("discarding the working tree: " + unusable.getMessage());
                }
            }
            DirectoryTree.delete(workTree);
            Files.createDirectories(workTree);
            return Map.of();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare working tree " + workTree, e);
        }
    }

    private long writeFiles(Path workTree, RepositoryPath leasePath, List<Wanted> files) {
        if (files.isEmpty()) {
            return 0;
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, Math.min(threads, files.size())), r -> {
            Thread t = new Thread(r, "materialise");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Long>> done = new ArrayList<>(files.size());
            for (Wanted w : files) {
                done.add(pool.submit(() -> writeFile(fileOf(workTree, leasePath, w.path), w)));
            }
            long total = 0;
            for (Future<Long> f : done) {
                total += f.get();
            }
            return total;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("materialisation failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("materialisation interrupted", e);
        } finally {
            pool.shutdownNow();
            try {
                pool.awaitTermination(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private long writeFile(Path file, Wanted w) throws IOException {
        Files.deleteIfExists(file);
        try (OutputStream out = Files.newOutputStream(file)) {
            DirectoryEntry e = w.entry;
            if (e.chunked()) {
                for (Chunk c : w.chunks) {
                    writeObject(out, c.hash(), c.size(), e.uncompressed(), w.path);
                }
            } else {
                writeObject(out, e.hash(), e.size(), e.uncompressed(), w.path);
            }
        }
        return w.entry.size();
    }

    /** Writes one object's content, checking that it inflates to exactly {@code size} bytes. */
    private void writeObject(OutputStream out, ContentHash hash, long size, boolean uncompressed, RepositoryPath path)
            throws IOException {
        byte[] stored = source.fetchObject(hash);
        if (uncompressed) {
            if (stored.length != size) {
                throw new CorruptObjectException("object " + hash + " of " + path + " holds " + stored.length
                        + " bytes, the catalog says " + size);
            }
            out.write(stored);
            return;
        }
        Inflater inflater = new Inflater();
        try {
            inflater.setInput(stored);
            byte[] buffer = new byte[64 * 1024];
            long written = 0;
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new CorruptObjectException("object " + hash + " of " + path + " is a truncated zlib stream");
                }
                written += n;
                if (written > size) {
                    throw new CorruptObjectException("object " + hash + " of " + path + " inflates beyond the "
                            + size + " bytes the catalog says");
                }
                out.write(buffer, 0, n);
            }
            if (written != size || inflater.getRemaining() != 0) {
                throw new CorruptObjectException("object " + hash + " of " + path + " inflates to " + written
                        + " bytes (catalog: " + size + ")" + (inflater.getRemaining() != 0 ? " with trailing bytes" : ""));
            }
        } catch (DataFormatException e) {
            throw new CorruptObjectException("object " + hash + " of " + path + " is not a zlib stream: " + e.getMessage());
        } finally {
            inflater.end();
        }
    }

    /** Whether a file or link as scanned has the mode, owners (as root) and mtime {@code e} gives it. */
    private boolean hasAttributes(ScannedEntry have, DirectoryEntry e) {
        long nanos = Math.multiplyExact(e.mtime(), 1_000_000_000L) + (e.mtimeNs() == null ? 0 : e.mtimeNs());
        return have.mtimeNanos() == nanos
                && (e.isSymlink() || (have.mode() & 07777) == e.permissions())
                && (!root || (have.uid() == e.uid() && have.gid() == e.gid()));
    }

    private void applyAttributes(Path file, Wanted w) {
        DirectoryEntry e = w.entry;
        try {
            if (!e.isSymlink()) {
                Files.setAttribute(file, "unix:mode", e.permissions(), LinkOption.NOFOLLOW_LINKS);
            }
            if (root) {
                Files.setAttribute(file, "unix:uid", (int) e.uid(), LinkOption.NOFOLLOW_LINKS);
                Files.setAttribute(file, "unix:gid", (int) e.gid(), LinkOption.NOFOLLOW_LINKS);
            }
            long nanos = Math.multiplyExact(e.mtime(), 1_000_000_000L) + (e.mtimeNs() == null ? 0 : e.mtimeNs());
            FileTime mtime = FileTime.from(nanos, TimeUnit.NANOSECONDS);
            Files.getFileAttributeView(file, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                    .setTimes(mtime, null, null);
        } catch (IOException | UnsupportedOperationException ex) {
            if (!e.isSymlink()) {
                throw new IllegalStateException("cannot set the attributes of " + w.path + " (" + file + "): " + ex, ex);
            }
            // some platforms cannot time-stamp a symbolic link itself; the snapshot records what it got
        }
    }

    private static void delete(Path workTree, RepositoryPath leasePath, ScannedEntry e) {
        try {
            Files.deleteIfExists(fileOf(workTree, leasePath, e.path()));
        } catch (IOException ex) {
            throw new UncheckedIOException("cannot remove " + e.path() + " from the working tree", ex);
        }
    }

    static Path fileOf(Path workTree, RepositoryPath leasePath, RepositoryPath path) {
        if (path.equals(leasePath)) {
            return workTree;
        }
        String relative = leasePath.isRoot() ? path.relative() : path.toString().substring(leasePath.toString().length() + 1);
        return FileSystemNames.resolve(workTree, relative);
    }
}
