package org.cvmfs.suite.conveyor.worker.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.cvmfs.suite.conveyor.worker.failure.JobFailure;
import org.cvmfs.suite.protocol.files.AtomicFile;

/**
 * Which repository may hold a transaction this worker opened: {@code STATE_DIR/REPO.job} holds
 * the job id. Invariant: the marker is written (atomically, fsynced) before the transaction is
 * opened and removed only after it was published or aborted, so a worker killed at any point
 * leaves a marker wherever it may have left a transaction. The next job on that repository
 * aborts exactly those, and never a transaction that an operator opened by hand (upstream's
 * blind {@code abort -f} destroys those too).
 */
public final class TransactionMarkers {
    private final Path stateDir;

    public TransactionMarkers(Path stateDir) {
        this.stateDir = stateDir;
    }

    public void mark(String repository, String jobId) {
        try {
            Files.createDirectories(stateDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + stateDir, e);
        }
        AtomicFile.replace(file(repository), jobId.getBytes(StandardCharsets.US_ASCII));
    }

    public Optional<String> find(String repository) {
        try {
            return Optional.of(Files.readString(file(repository), StandardCharsets.US_ASCII).strip());
        } catch (java.nio.file.NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file(repository), e);
        }
    }

    public void clear(String repository) {
        try {
            Files.deleteIfExists(file(repository));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove " + file(repository), e);
        }
    }

    private Path file(String repository) {
        if (repository.isEmpty() || repository.contains("/") || repository.startsWith(".")) {
            throw new JobFailure("invalid repository name '" + repository + "'", false);
        }
        return stateDir.resolve(repository + ".job");
    }
}
