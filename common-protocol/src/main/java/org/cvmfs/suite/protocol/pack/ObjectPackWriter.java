package org.cvmfs.suite.protocol.pack;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * Builds one object pack for upload without holding object bytes in memory: objects are added
 * by name, size and a way to open their stored bytes, and are only read while the payload is
 * streamed out. A pack closes at {@code maxPayloadBytes} or {@code maxObjects}; a single object
 * larger than the byte limit still gets a pack of its own, as upstream does.
 */
public final class ObjectPackWriter {
    /** Upstream publisher's pack size. */
    public static final long DEFAULT_MAX_PAYLOAD_BYTES = 200L * 1024 * 1024;

    private final long maxPayloadBytes;
    private final int maxObjects;
    private final List<PackEntry> entries = new ArrayList<>();
    private final List<ObjectSource> sources = new ArrayList<>();
    private long payloadSize;

    public ObjectPackWriter() {
        this(DEFAULT_MAX_PAYLOAD_BYTES, PackHeader.MAX_OBJECTS);
    }

    public ObjectPackWriter(long maxPayloadBytes, int maxObjects) {
        if (maxPayloadBytes <= 0 || maxObjects <= 0 || maxObjects > PackHeader.MAX_OBJECTS) {
            throw new IllegalArgumentException("pack limits must be positive and at most " + PackHeader.MAX_OBJECTS
                    + " objects, got " + maxPayloadBytes + " bytes / " + maxObjects + " objects");
        }
        this.maxPayloadBytes = maxPayloadBytes;
        this.maxObjects = maxObjects;
    }

    /** Opens the stored (already compressed) bytes of one object. */
    @FunctionalInterface
    public interface ObjectSource {
        InputStream open() throws IOException;

        static ObjectSource ofFile(Path file) {
            return () -> Files.newInputStream(file);
        }

        static ObjectSource ofBytes(byte[] bytes) {
            return () -> new ByteArrayInputStream(bytes);
        }
    }

    /**
     * Adds an object unless the pack is full; returns false (adding nothing) when it is, and the
     * caller starts the next pack. An empty pack takes any object.
     */
    public boolean add(ContentHash hash, long size, ObjectSource source) {
        PackEntry entry = PackEntry.cas(hash, size);
        if (!entries.isEmpty() && (entries.size() >= maxObjects || payloadSize + size > maxPayloadBytes)) {
            return false;
        }
        entries.add(entry);
        sources.add(source);
        payloadSize += size;
        return true;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public int objectCount() {
        return entries.size();
    }

    public long payloadSize() {
        return payloadSize;
    }

    public PackHeader header() {
        return new PackHeader(entries, payloadSize);
    }

    /**
     * The payload as one stream: each object opened in turn, and refused with an
     * {@link IOException} if it yields more or fewer bytes than announced.
     */
    public InputStream openPayload() {
        List<PackEntry> e = List.copyOf(entries);
        List<ObjectSource> s = List.copyOf(sources);
        return new SequenceInputStream(Collections.enumeration(new AbstractList<InputStream>() {
            @Override
            public InputStream get(int i) {
                return new ExactLengthStream(s.get(i), e.get(i));
            }

            @Override
            public int size() {
                return e.size();
            }
        }));
    }

    /** Header then payload. */
    public void writeTo(OutputStream out) throws IOException {
        out.write(header().toBytes());
        try (InputStream payload = openPayload()) {
            payload.transferTo(out);
        }
    }

    /** Opens its object lazily, on first read, and checks the length against the index. */
    private static final class ExactLengthStream extends FilterInputStream {
        private final ObjectSource source;
        private final PackEntry entry;
        private long remaining;
        private boolean opened;

        ExactLengthStream(ObjectSource source, PackEntry entry) {
            super(null);
            this.source = source;
            this.entry = entry;
            this.remaining = entry.size();
        }

        private void open() throws IOException {
            if (!opened) {
                in = source.open();
                opened = true;
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            open();
            if (remaining == 0) {
                if (in.read() >= 0) {
                    throw new IOException("object " + entry.hash() + " is longer than its announced " + entry.size()
                            + " bytes");
                }
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new IOException("object " + entry.hash() + " ended after " + (entry.size() - remaining)
                        + " of " + entry.size() + " bytes");
            }
            remaining -= n;
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            throw new IOException("pack payload streams are not skippable");
        }

        @Override
        public int available() {
            return 0;
        }

        @Override
        public void close() throws IOException {
            if (opened) {
                in.close();
            }
        }
    }
}
