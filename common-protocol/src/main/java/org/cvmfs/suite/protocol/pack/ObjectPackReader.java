package org.cvmfs.suite.protocol.pack;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * Unpacks a streamed object pack into an object store. The header is read (bounded), checked
 * against the digest sent beside it and parsed before a single object byte is consumed; then
 * each object streams through {@link ObjectStore#putVerified}, which hashes while writing and
 * never publishes an object whose bytes do not match its name. Only one buffer's worth of pack
 * is ever in memory.
 *
 * <p>Named entries ({@code N} lines) are accepted and verified like the others, but stored
 * under their content name: a lease holder must not be able to place files at arbitrary paths of
 * the repository (such as its manifest), and no publisher relies on the name.
 */
public final class ObjectPackReader {
    private static final int READ_BLOCK = 256 * 1024;

    private final ObjectStore store;

    public ObjectPackReader(ObjectStore store) {
        this.store = store;
    }

    /**
     * Reads {@code headerSize} header bytes and the whole payload from {@code in}, which must
     * end exactly after the last object.
     *
     * @param expectedDigest lowercase hex SHA-1 the header must have
     */
    public PackSummary read(InputStream body, long headerSize, String expectedDigest) {
        // Objects are small and many: read the body in large blocks, not one small read (and, on
        // the gateway, one wake-up of the HTTP event loop) per object.
        InputStream in = new BufferedInputStream(body, READ_BLOCK);
        PackHeader header = readHeader(in, headerSize, expectedDigest);
        int added = 0;
        int duplicated = 0;
        int catalogs = 0;
        long bytes = 0;
        long catalogBytes = 0;
        int index = 0;
        for (PackEntry entry : header.entries()) {
            index++;
            boolean known;
            try {
                known = !store.putVerified(entry.hash(), in, entry.size());
            } catch (CorruptObjectException e) {
                throw new ObjectPackException("pack object " + index + " of " + header.entries().size() + ": "
                        + e.getMessage(), e);
            }
            if (known) {
                duplicated++;
            } else if (entry.hash().suffix() == ObjectSuffix.CATALOG) {
                catalogs++;
                bytes += entry.size();
                catalogBytes += entry.size();
            } else {
                added++;
                bytes += entry.size();
            }
        }
        try {
            if (in.read() >= 0) {
                throw new ObjectPackException("unexpected bytes after the last object of the pack (S"
                        + header.payloadSize() + ")");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the end of the object pack", e);
        }
        return new PackSummary(added, duplicated, catalogs, bytes, catalogBytes);
    }

    /** Reads, verifies and parses the header only, leaving {@code in} at the first object byte. */
    public static PackHeader readHeader(InputStream in, long headerSize, String expectedDigest) {
        if (headerSize <= 0 || headerSize > PackHeader.MAX_HEADER_BYTES) {
            throw new ObjectPackException("header_size " + headerSize + " is outside 1.." + PackHeader.MAX_HEADER_BYTES);
        }
        byte[] bytes;
        try {
            bytes = in.readNBytes((int) headerSize);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the object pack header", e);
        }
        if (bytes.length != headerSize) {
            throw new ObjectPackException("object pack header truncated: " + bytes.length + " of " + headerSize + " bytes");
        }
        String actual = PackHeader.digestOf(bytes);
        if (expectedDigest == null || !actual.equalsIgnoreCase(expectedDigest)) {
            throw new ObjectPackException("payload_digest " + expectedDigest + " does not match the pack header,"
                    + " whose SHA-1 is " + actual);
        }
        return PackHeader.parse(bytes);
    }
}
