package org.cvmfs.suite.server.publish;

import static org.cvmfs.suite.server.publish.PublisherContext.display;

import java.io.InputStream;
import java.time.Duration;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;

/**
 * {@code cvmfs_server ingest}: a lease, an edit of the head's catalogs, upload and commit in one
 * go, without a working tree. The spool records the lease (LEASED) and, before the commit is
 * sent, the new root (COMMITTING): a failure before the commit drops the lease and forgets the
 * transaction; a commit whose reply was lost is finished by {@code publish}.
 */
public final class Ingestion {
    private final PublisherContext context;

    public Ingestion(PublisherContext context) {
        this.context = context;
    }

    /** What an edit wrote: regular files and their bytes. */
    record Ingested(int files, long bytes) {
    }

    private interface CatalogEdit {
        Ingested apply(WritableCatalogManager catalogs, ContentProcessor processor);
    }

    /** {@code ingest -t TARBALL -b BASE [-c]}: the tarball written into the catalogs below {@code base}. */
    public Published tarball(InputStream tarball, RepositoryPath base, boolean nestedCatalog, Optional<String> tag,
                             Optional<String> description, Optional<Duration> retryFor) {
        return oneShot(base, tag, description, retryFor, (catalogs, processor) -> {
            long now = context.clock().instant().getEpochSecond();
            ProcessOwner owner = ProcessOwner.current();
            TarIngest.Result r = TarIngest.ingest(tarball, base, catalogs, processor, now, owner.uid(), owner.gid(),
                    context::warn);
            if (nestedCatalog && !catalogs.isNestedCatalogMountpoint(base)) {
                if (base.isRoot()) {
                    throw new PublisherException(PublisherException.FAILED, "the repository root cannot be a nested catalog");
                }
                catalogs.createNestedCatalog(base);
            }
            context.say(String.format("Ingested %d directories, %d files (%d bytes) and %d symlinks below %s",
                    r.directories(), r.files(), r.bytes(), r.symlinks(), display(base)));
            return new Ingested(r.files(), r.bytes());
        });
    }

    /** {@code ingest -d PATH}: removes one path (a directory with everything below it). */
    public Published delete(RepositoryPath path, Optional<String> tag, Optional<String> description,
                            Optional<Duration> retryFor) {
        if (path.isRoot()) {
            throw new PublisherException(PublisherException.FAILED, "refusing to delete the repository root");
        }
        return oneShot(path, tag, description, retryFor, (catalogs, processor) -> {
            if (catalogs.lookup(path).isEmpty()) {
                throw new PublisherException(PublisherException.NOT_FOUND, path + " does not exist");
            }
            catalogs.remove(path);
            context.say("Deleted " + path);
            return new Ingested(0, 0);
        });
    }

    private Published oneShot(RepositoryPath leasePath, Optional<String> tag, Optional<String> description,
                              Optional<Duration> retryFor, CatalogEdit edit) {
        PublisherSpool spool = context.spool();
        spool.load().ifPresent(s -> {
            throw new PublisherException(PublisherException.FAILED, "repository " + context.settings().repository()
                    + " is already in a transaction on " + display(s.leasePath()) + "; publish or abort it first");
        });
        GatewayCommit commit = new GatewayCommit(context);
        String tagName = commit.tagName(tag);
        TransactionState state = new TransactionOpener(context).lease(leasePath, retryFor);
        try {
            CatalogCommit catalogCommit;
            Ingested ingested;
            long uploaded;
            try (PayloadUpload upload = new PayloadUpload(context, state.sessionToken());
                 WritableCatalogManager catalogs = WritableCatalogManager.open(context.cache(), state.baseRootCatalog(),
                         context.tmp("catalogs"))) {
                ingested = edit.apply(catalogs, upload.processor());
                catalogCommit = catalogs.commit(upload.catalogStore(), context.settings().ingest().algorithm(),
                        context.clock());
                uploaded = upload.finish();
            }
            TransactionState committing = state.committing(catalogCommit.rootHash());
            spool.save(committing);
            long revision = commit.send(committing, tagName, description.orElse(""));
            spool.clear();
            return new Published(revision, catalogCommit.rootHash(), ingested.files(), ingested.bytes(), uploaded);
        } catch (RuntimeException e) {
            TransactionState now = spool.load().orElse(null);
            if (now != null && now.phase() != TransactionState.Phase.COMMITTING) {
                context.dropQuietly(state.sessionToken());
                spool.clear();
            }
            throw e;
        }
    }
}
