package org.cvmfs.suite.conveyor.worker.publish;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import org.cvmfs.suite.conveyor.worker.failure.JobFailure;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.server.publish.Publisher;
import org.cvmfs.suite.server.publish.PublisherConfiguration;
import org.cvmfs.suite.server.publish.PublisherException;
import org.cvmfs.suite.server.publish.PublisherSettings;
import org.cvmfs.suite.server.publish.RepositoryArgument;

/**
 * The worker's only seam to the publisher engine of {@code cvmfs-server}: the same
 * {@code Publisher} that {@code cvmfs_server transaction/publish/abort} drive, configured from the
 * repository's {@code server.conf} under the host paths. As root the transaction is bind-mounted
 * at {@code /cvmfs/REPO/PATH} and the script runs in {@code /cvmfs/REPO} as upstream's does;
 * otherwise it runs in the spool's working tree of the leased subtree.
 */
public final class InProcessPublisher implements RepositoryPublisher {
    private final HostPaths hostPaths;
    private final Duration leaseWait;
    private final Consumer<String> out;

    public InProcessPublisher(HostPaths hostPaths, Duration leaseWait, Consumer<String> out) {
        this.hostPaths = hostPaths;
        this.leaseWait = leaseWait;
        this.out = out;
    }

    @Override
    public Workspace open(String repository, String leasePath) {
        RepositoryArgument target = parse(repository, leasePath);
        Publisher publisher = publisher(target.repository());
        try {
            publisher.transaction(target.path(), Optional.of(leaseWait));
        } catch (PublisherException e) {
            throw new JobFailure("could not start CVMFS transaction: " + e.getMessage(), true, e);
        }
        Path lease = publisher.editableTree(target.path());
        Path root = publisher.editableTree(RepositoryPath.ROOT);
        return new Workspace(root.equals(lease) || !lease.startsWith(root) ? lease : root, lease);
    }

    @Override
    public void publish(String repository, String tag, String description) {
        try {
            publisher(repository).publish(Optional.of(tag), Optional.of(description));
        } catch (RuntimeException e) {
            throw new JobFailure("could not commit CVMFS transaction: " + e.getMessage(), true, e);
        }
    }

    @Override
    public void abort(String repository) {
        try {
            publisher(repository).abort(true);
        } catch (PublisherException notInTransaction) {
            // nothing open: what abort -f wants
        }
    }

    @Override
    public Optional<Long> findTag(String repository, String tag) {
        PublisherSettings settings = settings(repository);
        return PublicationHistory.findTag(settings, tag, settings.spoolDir());
    }

    private Publisher publisher(String repository) {
        return new Publisher(settings(repository), Clock.systemUTC(), out);
    }

    private PublisherSettings settings(String repository) {
        try {
            return PublisherConfiguration.load(new RepositoryLayout(hostPaths, repository));
        } catch (RuntimeException e) {
            throw new JobFailure("repository " + repository + " is not set up on this publisher: " + e.getMessage(), false, e);
        }
    }

    private static RepositoryArgument parse(String repository, String leasePath) {
        try {
            return RepositoryArgument.parse(repository + (leasePath.startsWith("/") ? "" : "/") + leasePath);
        } catch (RuntimeException e) {
            throw new JobFailure("invalid repository or lease path '" + repository + leasePath + "': " + e.getMessage(), false, e);
        }
    }
}
