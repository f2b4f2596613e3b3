package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One publisher command at a time per repository spool: {@code transaction}, {@code publish},
 * {@code abort} and {@code ingest} each hold an exclusive lock on {@code publisher/lock} for as
 * long as they run, as upstream's {@code cvmfs_server} takes its publishing lock. Without it, two
 * commands started together could both find no transaction and each take a lease (one of them
 * then forgotten in the spool), or a {@code publish} and an {@code abort} change the same layers.
 * The lock is the kernel's ({@code fcntl}), so a command killed with {@code kill -9} leaves none
 * behind.
 *
 * <p>A command in another process holding it: the second fails at once with
 * {@link PublisherException#BUSY}, saying who to wait for. A command in this JVM holding it (the
 * resident {@code cvmfs_server} serves several callers; Conveyor's worker publishes in-process):
 * the second waits up to {@link #IN_JVM_WAIT} for it, then fails the same way. The first may be
 * the command of a caller that was just killed, which ends at its next interruptible step, and
 * the next command must not fail for it. Within the JVM the lock file is never opened a second
 * time while held ({@link #HELD_HERE}): closing any descriptor of a file drops every {@code fcntl}
 * lock the process holds on it, so a refused second channel would have freed the file for other
 * processes while the first command still ran.
 */
final class SpoolLock implements AutoCloseable {
    /** How long a command waits for another command of this JVM on the same spool. */
    static final Duration IN_JVM_WAIT = Duration.ofSeconds(30);
    private static final long POLL_MILLIS = 50;
    /** The lock files held in this JVM, by real path. */
    private static final Set<Path> HELD_HERE = ConcurrentHashMap.newKeySet();

    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;

    private SpoolLock(Path key, FileChannel channel, FileLock lock) {
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code spool} for {@code repository}'s command, or fails as busy. */
    static SpoolLock take(PublisherSpool spool, String repository) {
        Path file = spool.lockFile();
        Path key;
        try {
            Files.createDirectories(file.getParent());
            key = file.getParent().toRealPath().resolve(file.getFileName());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the publisher's lock " + file, e);
        }
        awaitNotHeldHere(key, file, repository);
        FileChannel channel = null;
        FileLock lock = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldUnderAnotherName) {
            // busy, as below
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        } finally {
            if (lock == null) {
                close(channel);
                HELD_HERE.remove(key);
            }
        }
        if (lock == null) {
            throw busy(file, repository);
        }
        return new SpoolLock(key, channel, lock);
    }

    /** Marks {@code key} held here once no other command of this JVM holds it, waiting up to {@link #IN_JVM_WAIT}. */
    private static void awaitNotHeldHere(Path key, Path file, String repository) {
        long deadline = System.nanoTime() + IN_JVM_WAIT.toNanos();
        while (!HELD_HERE.add(key)) {
            if (System.nanoTime() - deadline >= 0) {
                throw busy(file, repository);
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new PublisherException(PublisherException.BUSY, "interrupted while waiting for another cvmfs_server"
                        + " command on " + repository + " (it holds " + file + ")", e);
            }
        }
    }

    private static PublisherException busy(Path file, String repository) {
        return new PublisherException(PublisherException.BUSY, "another cvmfs_server command is working on "
                + repository + " (it holds " + file + "); wait for it to end, or stop it, and run this again");
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        close(channel);
        HELD_HERE.remove(key);
    }

    private static void close(FileChannel channel) {
        if (channel == null) {
            return;
        }
        try {
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the channel; nothing was written
        }
    }
}
