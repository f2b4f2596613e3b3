package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Serialises every change of one repository's head (manifest, whitelist, reflog) across the
 * threads of this JVM and across processes: a gateway daemon committing while an operator runs
 * {@code cvmfs_server resign} must not interleave. The in-JVM lock is taken first because file
 * locks belong to the whole process; the file lock is only taken by the outermost holder, so a
 * thread may nest (mkfs publishing its initial commit, garbage collection re-signing its head).
 */
public final class RepositoryLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock fileLock;

    private RepositoryLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
        this.local = local;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Blocks until this thread holds the repository. */
    public static RepositoryLock acquire(RepositoryLayout layout) {
        Path file = layout.publishLock().toAbsolutePath().normalize();
        ReentrantLock local = LOCAL.computeIfAbsent(file, f -> new ReentrantLock());
        local.lock();
        if (local.getHoldCount() > 1) {
            return new RepositoryLock(local, null, null);
        }
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            return new RepositoryLock(local, channel, channel.lock());
        } catch (IOException | RuntimeException e) {
            closeQuietly(channel);
            local.unlock();
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot lock repository " + layout.fqrn() + " at " + file, io);
            }
            throw (RuntimeException) e;
        }
    }

    @Override
    public void close() {
        try {
            if (fileLock != null) {
                fileLock.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release repository lock", e);
        } finally {
            closeQuietly(channel);
            local.unlock();
        }
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing releases the lock anyway; nothing else to undo
            }
        }
    }
}
