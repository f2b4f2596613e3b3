package org.cvmfs.suite.protocol.files;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * An exclusive lock on a file across the threads of this JVM and across processes: the one way
 * the suite serialises work on a repository (the head's changes, {@code RepositoryLock}; one
 * publisher command at a time per spool, {@code SpoolLock}). The file lock is the kernel's
 * ({@code fcntl}), so a process killed with {@code kill -9} leaves none behind. File locks belong
 * to the whole process, and closing any descriptor of a file drops every one the process holds
 * on it; so the threads of this JVM are ordered first by a lock of their own per file (by real
 * path), and only the outermost holder opens the file at all: a thread may nest, and a second
 * thread never opens, and so never frees, a file another one holds. A hold is closed by the
 * thread that took it.
 */
public final class ProcessLock implements AutoCloseable {
    private static final ConcurrentHashMap<Path, ReentrantLock> LOCAL = new ConcurrentHashMap<>();

    private final ReentrantLock local;
    private final FileChannel channel;
    private final FileLock fileLock;

    private ProcessLock(ReentrantLock local, FileChannel channel, FileLock fileLock) {
        this.local = local;
        this.channel = channel;
        this.fileLock = fileLock;
    }

    /** Blocks until this thread holds {@code file} (created, with its directories, if missing). */
    public static ProcessLock acquire(Path file) {
        ReentrantLock local = localLock(file);
        local.lock();
        return lockFile(file, local, true).orElseThrow();
    }

    /**
     * This thread's hold of {@code file}, waiting up to {@code inJvm} for other threads of this
     * JVM but not at all for another process; empty if either still holds it (or this thread was
     * interrupted while waiting, its interrupt status kept).
     */
    public static Optional<ProcessLock> tryAcquire(Path file, Duration inJvm) {
        ReentrantLock local = localLock(file);
        try {
            if (!local.tryLock(inJvm.toNanos(), TimeUnit.NANOSECONDS)) {
                return Optional.empty();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
        return lockFile(file, local, false);
    }

    private static ReentrantLock localLock(Path file) {
        try {
            Files.createDirectories(file.toAbsolutePath().getParent());
            Path key = file.toAbsolutePath().getParent().toRealPath().resolve(file.getFileName());
            return LOCAL.computeIfAbsent(key, k -> new ReentrantLock());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open lock file " + file, e);
        }
    }

    /** With {@code local} held: the file lock too, unless an outer hold of this thread has it already. */
    private static Optional<ProcessLock> lockFile(Path file, ReentrantLock local, boolean wait) {
        if (local.getHoldCount() > 1) {
            return Optional.of(new ProcessLock(local, null, null));
        }
        FileChannel channel = null;
        FileLock lock = null;
        try {
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            lock = wait ? channel.lock() : channel.tryLock();
            return lock == null ? Optional.empty() : Optional.of(new ProcessLock(local, channel, lock));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file, e);
        } finally {
            if (lock == null) {
                closeQuietly(channel);
                local.unlock();
            }
        }
    }

    @Override
    public void close() {
        try {
            if (fileLock != null) {
                fileLock.release();
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot release the lock of " + channel, e);
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
