package org.cvmfs.suite.protocol.ingest;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The stored bytes of one object while it is being produced: kept in memory up to a limit and
 * spilled to a temporary file beyond it, so that a 1 GiB unchunked file never sits in the heap.
 * Its name is only known once the last byte is hashed, which is why it is staged at all. An
 * ingest thread lends it its {@link StagingBuffer}, which the object gives back when closed.
 */
public final class StagedObject implements AutoCloseable {
    private final Path spillDir;
    private final int memoryLimit;
    /** Where {@link #buffer} came from and goes back to, or null: an array of its own. */
    private final StagingBuffer lender;
    private byte[] buffer;
    private int buffered;
    private Path spillFile;
    private OutputStream spillOut;
    private long size;
    private boolean sealed;

    public StagedObject(Path spillDir, int memoryLimit) {
        this(spillDir, memoryLimit, null);
    }

    /** Stages into {@code lender}'s array (grown as needed, given back by {@link #close}). */
    StagedObject(Path spillDir, int memoryLimit, StagingBuffer lender) {
        if (memoryLimit < 0) {
            throw new IllegalArgumentException("memory limit must not be negative, got " + memoryLimit);
        }
        this.spillDir = spillDir;
        this.memoryLimit = memoryLimit;
        this.lender = lender;
        this.buffer = lender == null ? new byte[256] : lender.lend();
    }

    public void write(byte[] data, int offset, int length) {
        if (sealed) {
            throw new IllegalStateException("staged object already sealed");
        }
        try {
            if (spillOut == null && (long) buffered + length > memoryLimit) {
                spill();
            }
            if (spillOut != null) {
                spillOut.write(data, offset, length);
            } else {
                if (buffered + length > buffer.length) {
                    buffer = Arrays.copyOf(buffer, Math.min(memoryLimit, Math.max(buffered + length, buffer.length * 2)));
                }
                System.arraycopy(data, offset, buffer, buffered, length);
                buffered += length;
            }
            size += length;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot spill object bytes to " + spillDir, e);
        }
    }

    /** Ends writing; the bytes can be read from now on. */
    public void seal() {
        if (sealed) {
            return;
        }
        sealed = true;
        if (spillOut != null) {
            try {
                spillOut.close();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot finish spill file " + spillFile, e);
            }
        }
    }

    public long size() {
        return size;
    }

    public boolean inMemory() {
        return spillFile == null;
    }

    /** A copy of the bytes; only for objects that stayed in memory. */
    public byte[] bytes() {
        requireSealed();
        if (!inMemory()) {
            throw new IllegalStateException("object of " + size + " bytes was spilled to " + spillFile);
        }
        return Arrays.copyOf(buffer, buffered);
    }

    public InputStream openStream() {
        requireSealed();
        if (inMemory()) {
            return new ByteArrayInputStream(buffer, 0, buffered);
        }
        try {
            return Files.newInputStream(spillFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read spill file " + spillFile, e);
        }
    }

    /** Copies the bytes to {@code out} without materialising a spilled object. */
    public void writeTo(OutputStream out) throws IOException {
        requireSealed();
        if (inMemory()) {
            out.write(buffer, 0, buffered);
        } else {
            Files.copy(spillFile, out);
        }
    }

    /** Drops the bytes and the spill file. */
    @Override
    public void close() {
        try {
            seal();
        } finally {
            if (lender != null && buffer != null) {
                lender.giveBack(buffer);  // even when the spill file failed: the thread goes on
            }
            buffer = null;
        }
        if (spillFile != null) {
            try {
                Files.deleteIfExists(spillFile);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot delete spill file " + spillFile, e);
            }
        }
    }

    private void spill() throws IOException {
        Files.createDirectories(spillDir);
        spillFile = Files.createTempFile(spillDir, "staged.", ".tmp");
        spillOut = Files.newOutputStream(spillFile);
        spillOut.write(buffer, 0, buffered);
        if (lender == null) {
            buffer = new byte[0];
        }
        buffered = 0;
    }

    private void requireSealed() {
        if (!sealed) {
            throw new IllegalStateException("staged object not sealed yet");
        }
        if (buffer == null) {
            throw new IllegalStateException("staged object already closed");
        }
    }
}
