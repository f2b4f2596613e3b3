package org.cvmfs.suite.server.publish;

import java.io.InputStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * The publisher host's commands on one gateway repository, {@code cvmfs_server transaction |
 * publish | abort | ingest}, as one entry point for the command line and for in-process callers
 * (Conveyor's worker). Each command is a class of its own ({@link TransactionOpener},
 * {@link TransactionPublication}, {@link TransactionAbort}, {@link Ingestion}); this class only
 * wires them to one {@link PublisherContext}, each under the spool's {@link SpoolLock}.
 */
public final class Publisher {
    private final PublisherContext context;

    public Publisher(PublisherSettings settings, Clock clock, Consumer<String> out) {
        this(settings, new HttpRepositorySource(settings.stratum0()), clock, out);
    }

    /** With an explicit Stratum-0 source (a local directory in tests). */
    public Publisher(PublisherSettings settings, RepositorySource stratum0, Clock clock, Consumer<String> out) {
        this.context = new PublisherContext(settings, stratum0, clock, out);
    }

    public PublisherSpool spool() {
        return context.spool();
    }

    /** Where the leased subtree can be edited: {@code /cvmfs/REPO/PATH} when bind-mounted, the spool's working tree otherwise. */
    public Path editableTree(RepositoryPath leasePath) {
        return context.editableTree(leasePath);
    }

    public TransactionState transaction(RepositoryPath leasePath, Optional<Duration> retryFor) {
        try (SpoolLock lock = lock()) {
            return new TransactionOpener(context).open(leasePath, retryFor);
        }
    }

    public Published publish(Optional<String> tag, Optional<String> description) {
        try (SpoolLock lock = lock()) {
            return new TransactionPublication(context).publish(tag, description);
        }
    }

    public Published ingest(InputStream tarball, RepositoryPath base, boolean nestedCatalog, Optional<String> tag,
                            Optional<String> description, Optional<Duration> retryFor) {
        try (SpoolLock lock = lock()) {
            return new Ingestion(context).tarball(tarball, base, nestedCatalog, tag, description, retryFor);
        }
    }

    public Published ingestDelete(RepositoryPath path, Optional<String> tag, Optional<String> description,
                                  Optional<Duration> retryFor) {
        try (SpoolLock lock = lock()) {
            return new Ingestion(context).delete(path, tag, description, retryFor);
        }
    }

    public void abort(boolean force) {
        try (SpoolLock lock = lock()) {
            new TransactionAbort(context).abort(force);
        }
    }

    private SpoolLock lock() {
        return SpoolLock.take(context.spool(), context.settings().repository());
    }
}
