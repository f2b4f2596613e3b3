package org.cvmfs.suite.server.publish;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;

/**
 * What a publication changes in the leased subtree: the working tree as scanned now against its
 * snapshot taken when the transaction materialised the base catalogs (a copy), or an overlay's
 * upper layer against its lower tree ({@link UpperChanges}). Regular files count as
 * unchanged only if their identity, size, mtime and ctime are unchanged and the snapshot did not
 * see them racily; content is never read here. An entry whose type changed is a removal plus an
 * addition.
 *
 * <p>Additions come parents first. Removals come a removed subtree at a time, its root first and
 * everything below it right after ({@link #removals}), so that removing each root removes the
 * rest. The lists are {@link EntryLog}s: an overlay's, built by a walk, spill to a file beyond a
 * few thousand entries, so that a publication's memory does not grow with its size; close the
 * change set to delete them.
 */
public final class ChangeSet implements AutoCloseable {
    private final RepositoryPath root;
    private final EntryLog<ScannedEntry> additions;
    private final EntryLog<Modification> modifications;
    private final EntryLog<ScannedEntry> removals;

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

    /** Entries as the logs store them: as the tree snapshot does ({@link EntryRecord}). */
    static final EntryLog.Codec<ScannedEntry> ENTRIES = new EntryLog.Codec<>() {
        @Override
        public void write(DataOutputStream out, ScannedEntry e) throws IOException {
            EntryRecord.write(out, e);
        }

        @Override
        public ScannedEntry read(DataInputStream in) throws IOException {
            return EntryRecord.read(in, why -> new IllegalStateException("a change set's file is damaged: " + why));
        }
    };

    static final EntryLog.Codec<Modification> MODIFICATIONS = new EntryLog.Codec<>() {
        @Override
        public void write(DataOutputStream out, Modification m) throws IOException {
            ENTRIES.write(out, m.before());
            ENTRIES.write(out, m.after());
            out.writeBoolean(m.contentChanged());
        }

        @Override
        public Modification read(DataInputStream in) throws IOException {
            return new Modification(ENTRIES.read(in), ENTRIES.read(in), in.readBoolean());
        }
    };

    ChangeSet(RepositoryPath root, EntryLog<ScannedEntry> additions, EntryLog<Modification> modifications,
              EntryLog<ScannedEntry> removals) {
        this.root = root;
        this.additions = additions;
        this.modifications = modifications;
        this.removals = removals;
    }

    public static ChangeSet compute(TreeSnapshot snapshot, ScannedTree after) {
        ScannedTree before = snapshot.tree();
        if (!before.root().equals(after.root())) {
            throw new IllegalArgumentException("cannot compare the tree at " + before.root() + " with the tree at "
                    + after.root());
        }
        EntryLog<ScannedEntry> additions = EntryLog.inMemory();
        EntryLog<Modification> modifications = EntryLog.inMemory();
        EntryLog<ScannedEntry> removals = EntryLog.inMemory();
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
        // in tree order each removed subtree is one run, its root first
        before.entries().values().stream().filter(then -> isGone(then, after))
                .sorted(Comparator.comparing(ScannedEntry::path, TREE_ORDER)).forEach(removals::add);
        return new ChangeSet(after.root(), additions, modifications, removals);
    }

    private static boolean isGone(ScannedEntry then, ScannedTree after) {
        ScannedEntry now = after.entries().get(then.path());
        return now == null || now.kind() != then.kind();
    }

    /**
     * Depth-first order: a directory, then everything below it, then its next sibling (string
     * order would put {@code /a-b} between {@code /a} and {@code /a/x}).
     */
    static final Comparator<RepositoryPath> TREE_ORDER = (a, b) -> {
        String x = a.value();
        String y = b.value();
        for (int i = 0; i < Math.min(x.length(), y.length()); i++) {
            char c = x.charAt(i);
            char d = y.charAt(i);
            if (c != d) {
                return c == '/' ? -1 : d == '/' ? 1 : Character.compare(c, d);
            }
        }
        return Integer.compare(x.length(), y.length());
    };

    public RepositoryPath root() {
        return root;
    }

    /** Entries that are new (or of a new type), parents first. */
    public EntryLog<ScannedEntry> additions() {
        return additions;
    }

    public EntryLog<Modification> modifications() {
        return modifications;
    }

    /** Entries that are gone (or of another type now): each removed subtree's root, then what was below it. */
    public EntryLog<ScannedEntry> removals() {
        return removals;
    }

    public boolean isEmpty() {
        return additions.isEmpty() && modifications.isEmpty() && removals.isEmpty();
    }

    /**
     * Regular files whose content must be processed, in the order {@link CatalogUpdater} writes
     * their rows: changed content first, then additions. A file with several names (hard links)
     * is listed once, under the first of them; only such files are remembered, so that the stream
     * holds as little as their number.
     */
    public Stream<ScannedEntry> contentToProcess() {
        Set<ScannedEntry.FileKey> linked = new HashSet<>();
        Stream<ScannedEntry> changed = modifications.stream().filter(Modification::contentChanged).map(Modification::after);
        return Stream.concat(changed, additions.stream().filter(ScannedEntry::isRegular))
                .filter(f -> f.linkCount() <= 1 || linked.add(f.fileKey()));
    }

    @Override
    public void close() {
        try (removals; modifications; additions) {
            // each log deletes its file
        }
    }

    @Override
    public String toString() {
        return "ChangeSet[" + root + ": +" + additions.size() + " ~" + modifications.size() + " -" + removals.size() + "]";
    }
}
