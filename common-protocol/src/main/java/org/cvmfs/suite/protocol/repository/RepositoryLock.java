package org.cvmfs.suite.protocol.repository;

import java.io.UncheckedIOException;
import org.cvmfs.suite.protocol.files.ProcessLock;

/**
 * Serialises every change of one repository's head (manifest, whitelist, reflog) across the
 * threads of this JVM and across processes: a gateway daemon committing while an operator runs
 * {@code cvmfs_server resign} must not interleave. A {@link ProcessLock} on the repository's
 * publish lock, waited for; a thread may nest (mkfs publishing its initial commit, garbage
 * collection re-signing its head).
 */
public final class RepositoryLock implements AutoCloseable {
    private final ProcessLock lock;

    private RepositoryLock(ProcessLock lock) {
        this.lock = lock;
    }

    /** Blocks until this thread holds the repository. */
    public static RepositoryLock acquire(RepositoryLayout layout) {
        try {
            return new RepositoryLock(ProcessLock.acquire(layout.publishLock()));
        } catch (UncheckedIOException e) {
            throw new UncheckedIOException("cannot lock repository " + layout.fqrn() + " at " + layout.publishLock(),
                    e.getCause());
        }
    }

    @Override
    public void close() {
        lock.close();
    }
}
