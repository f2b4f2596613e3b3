package org.cvmfs.suite.conveyor.worker.publish;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import org.cvmfs.suite.conveyor.worker.failure.JobFailure;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.server.publish.PublisherSettings;

/**
 * Looks a tag up in the history of the repository's current, signature-checked manifest, read
 * from the Stratum-0 named in the publisher's {@code server.conf}. How a worker learns that a
 * job's publication already landed (the tag carries the job id).
 */
final class PublicationHistory {
    private PublicationHistory() {
    }

    static Optional<Long> findTag(PublisherSettings settings, String tag, Path scratchParent) {
        RepositorySource source = new HttpRepositorySource(settings.stratum0());
        Manifest head;
        try {
            head = new ManifestVerifier(settings.masterKeys(), Clock.systemUTC())
                    .verify(source, settings.repository()).manifest();
        } catch (RuntimeException e) {
            throw new JobFailure("could not read the history of " + settings.repository() + ": " + e.getMessage(), true, e);
        }
        if (head.historyHash().isEmpty()) {
            return Optional.empty();
        }
        Path scratch = DirectoryTree.createScratch(scratchParent, "history");
        try (TagDatabase history = TagDatabase.fetch(source, head.historyHash().get(), scratch)) {
            return history.find(tag).map(t -> t.target().revision());
        } catch (RuntimeException e) {
            throw new JobFailure("could not read the history of " + settings.repository() + ": " + e.getMessage(), true, e);
        } finally {
            DirectoryTree.delete(scratch);
        }
    }
}
