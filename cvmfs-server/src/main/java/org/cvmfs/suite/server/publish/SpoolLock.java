package org.cvmfs.suite.server.publish;

import java.nio.file.Path;
import java.time.Duration;
import org.cvmfs.suite.protocol.files.ProcessLock;

/**
 * One publisher command at a time per repository spool: {@code transaction}, {@code publish},
 * {@code abort} and {@code ingest} each hold a {@link ProcessLock} on {@code publisher/lock} for as
 * long as they run, as upstream's {@code cvmfs_server} takes its publishing lock. Without it, two
 * commands started together could both find no transaction and each take a lease (one of them
 * then forgotten in the spool), or a {@code publish} and an {@code abort} change the same layers.
 * A command killed with {@code kill -9} leaves no lock behind.
 *
 * <p>A command in another process holding it: the second fails at once with
 * {@link PublisherException#BUSY}, saying who to wait for. A command in this JVM holding it (the
 * resident {@code cvmfs_server} serves several callers; Conveyor's worker publishes in-process):
 * the second waits up to {@link #IN_JVM_WAIT} for it, then fails the same way. The first may be
 * the command of a caller that was just killed, which ends at its next interruptible step, and
 * the next command must not fail for it.
 */
final class SpoolLock implements AutoCloseable {
    /** How long a command waits for another command of this JVM on the same spool. */
    static final Duration IN_JVM_WAIT = Duration.ofSeconds(30);

    private final ProcessLock lock;

    private SpoolLock(ProcessLock lock) {
        this.lock = lock;
    }

    /** Takes the lock of {@code spool} for {@code repository}'s command, or fails as busy. */
    static SpoolLock take(PublisherSpool spool, String repository) {
        Path file = spool.lockFile();
        return new SpoolLock(ProcessLock.tryAcquire(file, IN_JVM_WAIT).orElseThrow(() -> new PublisherException(
                PublisherException.BUSY, "another cvmfs_server command is working on " + repository + " (it holds "
                        + file + "); wait for it to end, or stop it, and run this again")));
    }

    @Override
    public void close() {
        lock.close();
    }
}
