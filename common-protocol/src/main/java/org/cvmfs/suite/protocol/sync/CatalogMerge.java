package org.cvmfs.suite.protocol.sync;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.catalog.CatalogException;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;

/**
 * Applies {@link CatalogDiff} changes to the catalog hierarchy of the current head (spec 10,
 * step 4), as the gateway receiver merges a lease into what other publishers may already have
 * published. Hard links are split (linkcount 1), as upstream's receiver does; removing or
 * rewriting a hard-linked file is refused, as upstream refuses it.
 */
public final class CatalogMerge implements Consumer<CatalogChange> {
    private final WritableCatalogManager target;

    public CatalogMerge(WritableCatalogManager target) {
        this.target = target;
    }

    @Override
    public void accept(CatalogChange change) {
        switch (change.type()) {
            case ADDITION -> add(change.path(), change.after(), change.chunks());
            case REMOVAL -> remove(change.path(), change.before());
            case MODIFICATION -> modify(change);
        }
    }

    private void add(RepositoryPath path, DirectoryEntry entry, List<Chunk> chunks) {
        if (entry.isDirectory()) {
            target.addDirectory(path, entry);
            if (entry.nestedMountpoint()) {
                target.createNestedCatalog(path);
            }
            return;
        }
        DirectoryEntry split = splitHardlink(entry);
        if (isMarkerOfNestedRoot(path) && target.lookup(path).isPresent()) {
            // createNestedCatalog put a marker there already; the publisher's one wins
            target.replaceFile(path, split, chunks);
        } else {
            target.addFile(path, split, chunks);
        }
    }

    private void remove(RepositoryPath path, DirectoryEntry entry) {
        if (isMarker(path) && target.lookup(path).isEmpty()) {
            return; // went with the nested catalog merged back into its parent
        }
        refuseHardlinked(path, entry);
        target.remove(path);
    }

    private void modify(CatalogChange change) {
        RepositoryPath path = change.path();
        DirectoryEntry before = change.before();
        DirectoryEntry after = change.after();
        if (before.nestedMountpoint() && after.nestedMountpoint()) {
            if (change.nested() == null) {
                throw new CatalogException(path + ": the new catalog lists no nested catalog at its mountpoint");
            }
            target.swapNestedCatalog(path, change.nested().hash(), change.nested().size());
        } else if (before.isDirectory() && after.isDirectory()) {
            target.setAttributes(path, after);
            if (!before.nestedMountpoint() && after.nestedMountpoint()) {
                target.createNestedCatalog(path);
            } else if (before.nestedMountpoint() && !after.nestedMountpoint()) {
                target.removeNestedCatalog(path);
            }
        } else if (after.isDirectory()) {
            refuseHardlinked(path, before);
            target.remove(path);
            add(path, after, List.of());
        } else {
            refuseHardlinked(path, before);
            Optional<DirectoryEntry> current = target.lookup(path);
            if (current.isPresent()) {
                target.replaceFile(path, splitHardlink(after), change.chunks());
            } else {
                target.addFile(path, splitHardlink(after), change.chunks());
            }
        }
    }

    private boolean isMarkerOfNestedRoot(RepositoryPath path) {
        return isMarker(path) && target.isNestedCatalogMountpoint(path.parent());
    }

    private static boolean isMarker(RepositoryPath path) {
        return path.name().equals(WritableCatalogManager.MARKER);
    }

    private static DirectoryEntry splitHardlink(DirectoryEntry e) {
        return e.linkcount() > 1 || e.hardlinkGroup() != 0 ? e.toBuilder().linkcount(1).hardlinkGroup(0).build() : e;
    }

    private static void refuseHardlinked(RepositoryPath path, DirectoryEntry e) {
        if (!e.isDirectory() && e.linkcount() > 1) {
            throw new CatalogException(path + ": removing or rewriting a file with linkcount " + e.linkcount()
                    + " is not supported through a gateway");
        }
    }
}
