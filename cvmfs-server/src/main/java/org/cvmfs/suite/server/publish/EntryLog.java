package org.cvmfs.suite.server.publish;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * One list of a change set ({@link ChangeSet}), written once in order and then read in that order
 * as often as needed. Its first {@code memoryLimit} values stay in memory; beyond them all of it
 * goes to a file in {@code spillDir}, so that a publication of a million files holds a few
 * thousand of them at a time, not all. {@link #close} deletes the file.
 */
final class EntryLog<T> implements Iterable<T>, AutoCloseable {
    /** How many values a log keeps in memory before it spills: a few MiB of scanned entries. */
    static final int MEMORY_LIMIT = 8192;

    /** How one value is written and read back. */
    interface Codec<T> {
        void write(DataOutputStream out, T value) throws IOException;

        T read(DataInputStream in) throws IOException;
    }

    private final Codec<T> codec;
    private final Path spillDir;
    private final int memoryLimit;
    private final List<T> memory = new ArrayList<>();
    private Path file;
    private DataOutputStream out;
    private int size;

    /** A log that spills into {@code spillDir} beyond {@code memoryLimit} values. */
    EntryLog(Codec<T> codec, Path spillDir, int memoryLimit) {
        this.codec = codec;
        this.spillDir = spillDir;
        this.memoryLimit = memoryLimit;
    }

    /** A log that stays in memory: for lists whose source is in memory anyway. */
    static <T> EntryLog<T> inMemory() {
        return new EntryLog<>(null, null, Integer.MAX_VALUE);
    }

    synchronized void add(T value) {
        try {
            if (out == null && memory.size() >= memoryLimit) {
                spill();
            }
            if (out != null) {
                codec.write(out, value);
            } else {
                memory.add(value);
            }
            size++;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the change set to " + file, e);
        }
    }

    private void spill() throws IOException {
        Files.createDirectories(spillDir);
        file = Files.createTempFile(spillDir, "changes", ".log");
        out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024));
        for (T value : memory) {
            codec.write(out, value);
        }
        memory.clear();
    }

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Whether the values went to a file. */
    boolean spilled() {
        return file != null;
    }

    @Override
    public synchronized Iterator<T> iterator() {
        if (file == null) {
            return memory.iterator();
        }
        try {
            out.flush();
            return new FileIterator(new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 64 * 1024)));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the change set from " + file, e);
        }
    }

    Stream<T> stream() {
        return StreamSupport.stream(Spliterators.spliterator(iterator(), size, Spliterator.ORDERED), false);
    }

    @Override
    public synchronized void close() {
        if (file == null) {
            return;
        }
        try {
            out.close();
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove the change set's file " + file, e);
        }
    }

    /** Reads the file front to back, {@link #size} values, and closes it at the end. */
    private final class FileIterator implements Iterator<T> {
        private final DataInputStream in;
        private int read;

        FileIterator(DataInputStream in) {
            this.in = in;
        }

        @Override
        public boolean hasNext() {
            return read < size;
        }

        @Override
        public T next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            try {
                T value = codec.read(in);
                if (++read == size) {
                    in.close();
                }
                return value;
            } catch (EOFException e) {
                throw new UncheckedIOException("the change set's file " + file + " ended early", e);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the change set from " + file, e);
            }
        }
    }
}
