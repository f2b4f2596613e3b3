package org.cvmfs.suite.server.publish;

import static org.cvmfs.suite.server.publish.PublisherContext.display;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.manifest.Manifest;

/**
 * Finishes a transaction left in {@link TransactionState.Phase#COMMITTING}: the commit was sent,
 * or about to be, and no reply arrived (the gateway died right after committing, the connection
 * dropped). Resending blindly fails when the commit landed (the lease is gone, the tag exists),
 * so the served head is asked first:
 * <ul>
 *   <li>its root catalog is the one this publisher committed: landed, nobody published since;</li>
 *   <li>a later revision whose leased subtree holds exactly what the new root catalog holds
 *       there: landed and merged with others' publications (while the lease was held nobody
 *       else could change that subtree, and the gateway merges the whole change below it);</li>
 *   <li>otherwise the commit never arrived: it is sent again under the same lease.</li>
 * </ul>
 * A change that left the subtree as it was is indistinguishable from a landed one; the head
 * then already holds what was asked for, and the lease, if still held, is dropped.
 */
final class LandedCommit {
    private final PublisherContext context;

    LandedCommit(PublisherContext context) {
        this.context = context;
    }

    /** Returns the revision that holds the publication. */
    long finish(TransactionState committing, String tagName, String description) {
        ContentHash newRoot = committing.newRootCatalog().orElseThrow();
        Manifest head = context.verifiedHead();
        if (head.rootCatalog().equals(newRoot)) {
            context.say("The commit of " + newRoot + " had landed: revision " + head.revision());
            return landed(head.revision());
        }
        if (head.revision() > committing.baseRevision()
                && sameSubtree(head.rootCatalog(), newRoot, committing.leasePath())) {
            context.dropQuietly(committing.sessionToken());
            context.say("The commit of " + newRoot + " had landed: " + display(committing.leasePath())
                    + " in revision " + head.revision() + " holds it");
            return landed(head.revision());
        }
        context.say("Resending the commit of " + newRoot + " (revision " + head.revision()
                + " does not hold it yet)");
        return new GatewayCommit(context).send(committing, tagName, description);
    }

    private long landed(long revision) {
        context.say("New revision: " + revision);
        return revision;
    }

    /** Whether {@code path} and everything below it is the same in both trees (hard-link group numbers aside). */
    private boolean sameSubtree(ContentHash left, ContentHash right, RepositoryPath path) {
        try (CatalogHierarchy a = CatalogHierarchy.open(context.cache(), left, context.tmp("catalogs"));
             CatalogHierarchy b = CatalogHierarchy.open(context.cache(), right, context.tmp("catalogs"))) {
            DirectoryEntry top = a.lookup(path).orElse(null);
            DirectoryEntry other = b.lookup(path).orElse(null);
            if (top == null || other == null) {
                return top == other;
            }
            if (top.kind() != other.kind()) {
                return false;
            }
            Deque<RepositoryPath> directories = new ArrayDeque<>();
            if (top.isDirectory()) {
                directories.push(path);
            }
            while (!directories.isEmpty()) {
                RepositoryPath dir = directories.pop();
                List<DirectoryEntry> x = a.listing(dir);
                List<DirectoryEntry> y = b.listing(dir);
                if (x.size() != y.size()) {
                    return false;
                }
                for (int i = 0; i < x.size(); i++) {
                    if (!sameEntry(x.get(i), y.get(i))) {
                        return false;
                    }
                    RepositoryPath child = dir.child(x.get(i).name());
                    if (x.get(i).chunked() && !a.chunks(child).equals(b.chunks(child))) {
                        return false;
                    }
                    if (x.get(i).isDirectory()) {
                        directories.push(child);
                    }
                }
            }
            return true;
        }
    }

    private static boolean sameEntry(DirectoryEntry x, DirectoryEntry y) {
        return x.name().equals(y.name()) && x.mode() == y.mode() && x.size() == y.size() && x.mtime() == y.mtime()
                && x.uid() == y.uid() && x.gid() == y.gid() && x.linkcount() == y.linkcount()
                && (x.hardlinkGroup() == 0) == (y.hardlinkGroup() == 0) && Objects.equals(x.hash(), y.hash())
                && x.symlink().equals(y.symlink()) && x.chunked() == y.chunked() && x.xattrs().equals(y.xattrs());
    }
}
