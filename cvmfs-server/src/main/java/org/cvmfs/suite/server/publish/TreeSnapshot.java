package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;

/**
 * A scan of the working tree plus the moment it started, as the status-change clock of the file
 * system reads it. File times come from a coarse kernel clock, so a file changed again within
 * the same tick as its scan keeps its ctime; such "racy" entries (ctime at or after the stamp)
 * are never trusted to be unchanged, as git does with its index.
 *
 * <p>{@code contents} tells, where known, which catalog content ({@link ContentId}) a regular
 * file holds; a later transaction keeps such a file instead of fetching it again.
 */
public record TreeSnapshot(ScannedTree tree, long stampNanos, Map<RepositoryPath, String> contents) {
    public TreeSnapshot {
        Objects.requireNonNull(tree, "tree");
        contents = Map.copyOf(contents);
        for (RepositoryPath p : contents.keySet()) {
            if (tree.get(p).filter(ScannedEntry::isRegular).isEmpty()) {
                throw new IllegalArgumentException("content id for " + p + ", which is not a regular file of the tree");
            }
        }
    }

    /** Stamps the clock with {@code probe} (a scratch file on the same host), then scans. */
    public static TreeSnapshot take(Path root, RepositoryPath prefix, Path probe, Map<RepositoryPath, String> contents) {
        long stamp = touch(probe);
        ScannedTree tree = TreeScanner.scan(root, prefix);
        Map<RepositoryPath, String> known = new HashMap<>(contents);
        known.keySet().removeIf(p -> tree.get(p).filter(ScannedEntry::isRegular).isEmpty());
        return new TreeSnapshot(tree, stamp, known);
    }

    /** The state before anything existed at {@code root}. */
    public static TreeSnapshot empty(RepositoryPath root) {
        return new TreeSnapshot(ScannedTree.empty(root), Long.MIN_VALUE, Map.of());
    }

    /** The content a regular file is known to hold, if it is unchanged since the snapshot. */
    public Optional<String> settledContent(ScannedEntry now) {
        ScannedEntry then = tree.entries().get(now.path());
        if (then == null || isRacy(then) || !then.sameContentAs(now)) {
            return Optional.empty();
        }
        return Optional.ofNullable(contents.get(now.path()));
    }

    /**
     * Waits until the file system clock has moved past everything written so far, so that a
     * snapshot taken next treats freshly written files as settled.
     */
    public static void awaitClockTick(Path probe) {
        long first = touch(probe);
        try {
            while (touch(probe) <= first) {
                Thread.sleep(2);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the file system clock", e);
        }
    }

    /** True unless the entry was certainly last changed before the snapshot started. */
    public boolean isRacy(ScannedEntry entry) {
        return entry.ctimeNanos() >= stampNanos;
    }

    private static long touch(Path probe) {
        try {
            Files.createDirectories(probe.getParent());
            Files.write(probe, new byte[0]);
            FileTime ctime = (FileTime) Files.getAttribute(probe, "unix:ctime", LinkOption.NOFOLLOW_LINKS);
            return ctime.to(TimeUnit.NANOSECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stamp the clock with " + probe, e);
        }
    }
}
