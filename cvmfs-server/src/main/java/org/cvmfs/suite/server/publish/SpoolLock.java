package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One publisher command at a time per repository spool: {@code transaction}, {@code publish},
 * {@code abort} and {@code ingest} each hold an exclusive lock on {@code publisher/lock} for as
 * long as they run, as upstream's {@code cvmfs_server} takes its publishing lock. Without it, two
 * commands started together could both find no transaction and each take a lease (one of them
 * then forgotten in the spool), or a {@code publish} and an {@code abort} change the same layers.
 * A second command does not wait: it fails at once with {@link PublisherException#BUSY}, saying
 * who to wait for. The lock is the kernel's ({@code fcntl}), so a command killed with
 * {@code kill -9} leaves none behind; within one JVM (Conveyor's worker publishes in-process) a
 * second holder is refused the same way.
 */
final class SpoolLock implements AutoCloseable {
    private final FileChannel channel;
    private final FileLock lock;

    private SpoolLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /** Takes the lock of {@code spool} for {@code repository}'s command, or fails as busy. */
    static SpoolLock take(PublisherSpool spool, String repository) {
        Path file = spool.lockFile();
        FileChannel channel;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the publisher's lock " + file, e);
        }
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (OverlappingFileLockException heldInThisJvm) {
            lock = null;
        } catch (IOException e) {
            close(channel);
            throw new UncheckedIOException("cannot lock " + file, e);
        }
        if (lock == null) {
            close(channel);
            throw new PublisherException(PublisherException.BUSY, "another cvmfs_server command is working on "
                    + repository + " (it holds " + file + "); wait for it to end, or stop it, and run this again");
        }
        return new SpoolLock(channel, lock);
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException ignored) {
            // closing the channel below releases it too
        }
        close(channel);
    }

    private static void close(FileChannel channel) {
        try {
            channel.close();
        } catch (IOException ignored) {
            // the lock goes with the channel; nothing was written
        }
    }
}
