package org.cvmfs.suite.server.publish;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Objects;
import java.util.Set;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;

/**
 * What a publication changes in the leased subtree: the working tree as scanned now against its
 * snapshot taken when the transaction materialised the base catalogs (a copy), or an overlay's
 * upper layer against its lower tree ({@link UpperChanges}). Regular files count as
 * unchanged only if their identity, size, mtime and ctime are unchanged and the snapshot did not
 * see them racily; content is never read here. Additions come parents
 * first, removals children first, so that they can be applied to catalogs in list order. An
 * entry whose type changed is a removal plus an addition.
 */
public final class ChangeSet {
    private final RepositoryPath root;
    private final List<ScannedEntry> additions;
    private final List<Modification> modifications;
    private final List<ScannedEntry> removals;

    /**
     * One entry present before and after with different attributes; {@code contentChanged} tells
     * that a regular file's content has to be processed again.
     */
    public record Modification(ScannedEntry before, ScannedEntry after, boolean contentChanged) {
        public Modification {
            Objects.requireNonNull(before, "before");
            Objects.requireNonNull(after, "after");
            if (!before.path().equals(after.path()) || before.kind() != after.kind()) {
                throw new IllegalArgumentException("a modification keeps path and type: " + before.path()
                        + " " + before.kind() + " vs " + after.path() + " " + after.kind());
            }
        }

        public RepositoryPath path() {
            return after.path();
        }
    }

    private ChangeSet(RepositoryPath root, List<ScannedEntry> additions, List<Modification> modifications,
                      List<ScannedEntry> removals) {
        this.root = root;
        this.additions = Collections.unmodifiableList(additions);
        this.modifications = Collections.unmodifiableList(modifications);
        this.removals = Collections.unmodifiableList(removals);
    }

    /**
     * A change set found by other means than comparing whole trees (an overlay's upper layer,
     * {@link UpperChanges}); additions and modifications by path, removals by path (listed here
     * children first).
     */
    static ChangeSet of(RepositoryPath root, NavigableMap<RepositoryPath, ScannedEntry> additions,
                        NavigableMap<RepositoryPath, Modification> modifications,
                        NavigableMap<RepositoryPath, ScannedEntry> removals) {
        return new ChangeSet(root, new ArrayList<>(additions.values()), new ArrayList<>(modifications.values()),
                new ArrayList<>(removals.descendingMap().values()));
    }

    public static ChangeSet compute(TreeSnapshot snapshot, ScannedTree after) {
        ScannedTree before = snapshot.tree();
        if (!before.root().equals(after.root())) {
            throw new IllegalArgumentException("cannot compare the tree at " + before.root() + " with the tree at "
                    + after.root());
        }
        List<ScannedEntry> additions = new ArrayList<>();
        List<Modification> modifications = new ArrayList<>();
        List<ScannedEntry> removals = new ArrayList<>();
        for (ScannedEntry now : after.entries().values()) {
            ScannedEntry then = before.entries().get(now.path());
            if (then == null || then.kind() != now.kind()) {
                additions.add(now);
            } else if (now.isRegular()) {
                if (snapshot.isRacy(then) || !then.sameContentAs(now)) {
                    modifications.add(new Modification(then, now, true));
                }
            } else if (!then.sameAttributes(now)) {
                modifications.add(new Modification(then, now, false));
            }
        }
        for (ScannedEntry then : before.entries().descendingMap().values()) {
            ScannedEntry now = after.entries().get(then.path());
            if (now == null || now.kind() != then.kind()) {
                removals.add(then);
            }
        }
        // a path whose type changed is removed (children first) before it is added again
        return new ChangeSet(after.root(), additions, modifications, removals);
    }

    public RepositoryPath root() {
        return root;
    }

    public List<ScannedEntry> additions() {
        return additions;
    }

    public List<Modification> modifications() {
        return modifications;
    }

    public List<ScannedEntry> removals() {
        return removals;
    }

    public boolean isEmpty() {
        return additions.isEmpty() && modifications.isEmpty() && removals.isEmpty();
    }

    /**
     * Regular files whose content must be processed, in the order {@link CatalogUpdater} writes
     * their rows: changed content first, then additions, each in path order. A file with several
     * names (hard links) is listed once, under the first of them.
     */
    public List<ScannedEntry> contentToProcess() {
        List<ScannedEntry> files = new ArrayList<>();
        Set<ScannedEntry.FileKey> linked = new HashSet<>();
        for (Modification m : modifications) {
            if (m.contentChanged()) {
                addOnce(m.after(), files, linked);
            }
        }
        for (ScannedEntry e : additions) {
            if (e.isRegular()) {
                addOnce(e, files, linked);
            }
        }
        return files;
    }

    /** Only files with further names are remembered, so that the set stays as small as their number. */
    private static void addOnce(ScannedEntry file, List<ScannedEntry> files, Set<ScannedEntry.FileKey> linked) {
        if (file.linkCount() <= 1 || linked.add(file.fileKey())) {
            files.add(file);
        }
    }

    /** Directories that gain a {@code .cvmfscatalog} marker: new nested catalog roots. */
    public List<RepositoryPath> catalogsCreated() {
        return additions.stream().filter(ChangeSet::isMarker).map(e -> e.path().parent()).toList();
    }

    /** Directories that lose their marker: their nested catalogs go away. */
    public List<RepositoryPath> catalogsRemoved() {
        return removals.stream().filter(ChangeSet::isMarker).map(e -> e.path().parent()).toList();
    }

    private static boolean isMarker(ScannedEntry e) {
        return !e.path().isRoot() && e.path().name().equals(TreeScanner.CATALOG_MARKER);
    }

    @Override
    public String toString() {
        return "ChangeSet[" + root + ": +" + additions.size() + " ~" + modifications.size() + " -" + removals.size() + "]";
    }
}
