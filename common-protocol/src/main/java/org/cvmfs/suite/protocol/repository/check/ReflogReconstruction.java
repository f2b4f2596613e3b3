package org.cvmfs.suite.protocol.repository.check;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.Catalog;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.history.Tag;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * What a lost {@code .cvmfsreflog} must hold, found again from what the served manifest reaches,
 * as upstream's {@code reconstruct_reflog} finds it: the certificate and meta information; every
 * root catalog of the trunk (the head's, then each one's previous revision); every history object
 * (the head's, then each one's previous revision) and, for each history, every tagged root catalog
 * with its own chain of previous revisions. A walk stops at an object the store no longer holds
 * (garbage collection removed it) or one already listed. Every entry gets the reconstruction's time,
 * as upstream's does. Upstream also walks a history's recycle bin; our histories leave it empty.
 */
final class ReflogReconstruction {
    /** A root catalog or history above this inflated size is not one. */
    private static final long MAX_INFLATED_BYTES = 1L << 30;

    private final LocalRepositorySource store;
    private final Reflog reflog;
    private final Path scratch;
    private final Instant now;

    private ReflogReconstruction(LocalRepositorySource store, Reflog reflog, Path scratch, Instant now) {
        this.store = store;
        this.reflog = reflog;
        this.scratch = scratch;
        this.now = now;
    }

    /** A new reflog (open; the caller closes or signs it) listing what {@code head} reaches in {@code store}. */
    static Reflog of(Manifest head, LocalRepositorySource store, Path scratch, Instant now) {
        Reflog reflog = Reflog.create(scratch, head.repositoryName());
        try {
            ReflogReconstruction walk = new ReflogReconstruction(store, reflog, scratch, now);
            reflog.add(head.certificate().withSuffix(ObjectSuffix.CERTIFICATE), now);
            if (head.metaInfo() != null) {
                reflog.add(head.metaInfo().withSuffix(ObjectSuffix.META_INFO), now);
            }
            walk.rootCatalogs(head.rootCatalog());
            walk.histories(head.historyHash());
            return reflog;
        } catch (RuntimeException e) {
            reflog.close();
            throw e;
        }
    }

    private void rootCatalogs(ContentHash first) {
        Optional<ContentHash> current = Optional.of(first);
        while (current.isPresent()) {
            ContentHash catalog = current.get().withSuffix(ObjectSuffix.CATALOG);
            if (reflog.contains(catalog) || !store.hasObject(catalog)) {
                return;
            }
            reflog.add(catalog, now);
            try (Catalog c = Catalog.fetch(store, catalog, scratch, "root catalog " + catalog)) {
                current = c.previousRevision();
            }
        }
    }

    private void histories(Optional<ContentHash> first) {
        Optional<ContentHash> current = first;
        while (current.isPresent()) {
            ContentHash history = current.get().withSuffix(ObjectSuffix.HISTORY);
            if (reflog.contains(history) || !store.hasObject(history)) {
                return;
            }
            byte[] inflated = Zlib.inflate(store.fetchObject(history), MAX_INFLATED_BYTES);
            try (TagDatabase tags = TagDatabase.open(inflated, scratch)) {
                for (Tag tag : tags.tags()) {
                    rootCatalogs(tag.target().rootCatalog());
                }
                reflog.add(history, now);
                current = tags.previousRevision();
            }
        }
    }
}
