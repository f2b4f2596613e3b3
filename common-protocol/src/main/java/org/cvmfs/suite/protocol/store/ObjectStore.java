package org.cvmfs.suite.protocol.store;

import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * The writable content-addressed store of a local repository ({@code /srv/cvmfs/REPO/data}).
 * Objects are written under {@code data/txn} and renamed into place, so a reader never sees a
 * half-written object; an object that already exists is left as it is, because its name fixes
 * its bytes (two writers racing for one name rename identical bytes, and a reader holding either
 * copy reads the same).
 *
 * <p>Storing an object costs one create, one write, one rename: a publication stores one object
 * per small file, so the file system's work per object is what bounds the gateway's rate (a
 * random temporary name from {@code Files.createTempFile}, re-opening it, {@code mkdir -p} of
 * both directories and a hard link plus unlink cost about five times as much). Temporary names
 * are unique per process (a random prefix drawn once) and per object (a counter), created
 * exclusively; directories are only created when a create or rename finds them missing.
 */
public final class ObjectStore {
    private static final String TEMP_PREFIX = "obj." + Long.toHexString(new SecureRandom().nextLong()) + ".";
    private static final AtomicLong TEMP_COUNTER = new AtomicLong();

    private final Path dataDir;
    private final Path txnDir;

    public ObjectStore(Path repositoryRoot) {
        this.dataDir = repositoryRoot.resolve("data");
        this.txnDir = dataDir.resolve("txn");
    }

    /** Creates {@code data/00..ff} and {@code data/txn}, as upstream mkfs does. */
    public void createSkeleton() {
        try {
            HexFormat hex = HexFormat.of();
            for (int i = 0; i < 256; i++) {
                Files.createDirectories(dataDir.resolve(hex.toHexDigits((byte) i)));
            }
            Files.createDirectories(txnDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create object store in " + dataDir, e);
        }
    }

    public Path dataDir() {
        return dataDir;
    }

    public Path pathOf(ContentHash hash) {
        return dataDir.resolve(hash.objectPath());
    }

    public boolean contains(ContentHash hash) {
        return Files.isRegularFile(pathOf(hash));
    }

    /** Compresses {@code content}, stores it and returns its name. */
    public ContentHash putCompressed(byte[] content, HashAlgorithm algorithm, ObjectSuffix suffix) {
        return putStored(Zlib.compress(content), algorithm, suffix);
    }

    /** Stores bytes exactly as given (already compressed, or meant to be raw). */
    public ContentHash putStored(byte[] stored, HashAlgorithm algorithm, ObjectSuffix suffix) {
        ContentHash hash = ContentHash.compute(algorithm, stored, suffix);
        if (!contains(hash)) {
            publish(hash, out -> out.write(stored));
        }
        return hash;
    }

    /** Stored bytes that their writer streams out, never whole in memory. */
    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    /**
     * Stores the bytes {@code stored} writes (already compressed, or meant to be raw), hashing
     * them on their way to a temporary file, and returns their name: for objects too big to hold,
     * such as a large catalog.
     */
    public ContentHash putStreamed(HashAlgorithm algorithm, ObjectSuffix suffix, Writer stored) {
        Path tmp = nextTempName();
        try {
            HashAlgorithm.Digester digester = algorithm.newDigester();
            try (OutputStream out = new BufferedOutputStream(new DigestingStream(createTemp(tmp), digester), 64 * 1024)) {
                stored.write(out);
            }
            ContentHash hash = ContentHash.of(algorithm, digester.finish(), suffix);
            moveIntoPlace(tmp, hash);
            tmp = null;
            return hash;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store a " + suffix + " object", e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Hands every byte written to a digester on its way to the file. */
    private static final class DigestingStream extends FilterOutputStream {
        private final HashAlgorithm.Digester digester;

        DigestingStream(OutputStream out, HashAlgorithm.Digester digester) {
            super(out);
            this.digester = digester;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            digester.update(b, off, len);
            out.write(b, off, len);
        }
    }

    /**
     * Streams exactly {@code size} stored bytes into the object {@code expected}, hashing them on
     * the way; refuses (and leaves nothing behind) if the stream is short or the bytes do not hash
     * to the expected name. The stream is always consumed for {@code size} bytes when possible, so
     * that a caller reading a pack stays aligned.
     *
     * @return false if the object was there already (the bytes read are then dropped)
     */
    public boolean putVerified(ContentHash expected, InputStream in, long size) {
        Path tmp = null;
        try {
            HashAlgorithm.Digester digester = expected.algorithm().newDigester();
            tmp = nextTempName();
            try (OutputStream out = createTemp(tmp)) {
                byte[] buf = new byte[(int) Math.max(1, Math.min(64 * 1024, size))];
                long left = size;
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new CorruptObjectException("object " + expected + " truncated: "
                                + (size - left) + " of " + size + " bytes");
                    }
                    digester.update(buf, 0, n);
                    out.write(buf, 0, n);
                    left -= n;
                }
            }
            ContentHash actual = ContentHash.of(expected.algorithm(), digester.finish(), expected.suffix());
            if (!actual.equals(expected)) {
                throw new CorruptObjectException("object bytes hash to " + actual + ", not to their name " + expected);
            }
            boolean stored = moveIntoPlace(tmp, expected);
            tmp = null;
            return stored;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store object " + expected, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** The stored bytes of an object, verified against its name. */
    public byte[] readStored(ContentHash hash) {
        byte[] data;
        try {
            data = Files.readAllBytes(pathOf(hash));
        } catch (java.nio.file.NoSuchFileException e) {
            throw new MissingObjectException(hash);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read object " + hash, e);
        }
        if (!hash.matches(data)) {
            throw new CorruptObjectException("object " + hash + " does not hash to its name");
        }
        return data;
    }

    /**
     * The stored bytes of an object as a stream, for objects too large for the heap (catalogs):
     * hashed as they are read, and verified against the object's name when read to the end, where
     * a mismatch throws {@link CorruptObjectException}. A reader that stops early has not
     * verified what it read.
     */
    public InputStream openStored(ContentHash hash) {
        try {
            return new VerifyingStream(Files.newInputStream(pathOf(hash)), hash);
        } catch (NoSuchFileException e) {
            throw new MissingObjectException(hash);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read object " + hash, e);
        }
    }

    /**
     * Hands every byte read to a digester, and compares the digest with the name at the end. An
     * {@code InputStream} of its own rather than a filter, so that skipped bytes are read (and
     * digested) too.
     */
    private static final class VerifyingStream extends InputStream {
        private final InputStream in;
        private final ContentHash expected;
        private final HashAlgorithm.Digester digester;
        private boolean verified;

        VerifyingStream(InputStream in, ContentHash expected) {
            this.in = in;
            this.expected = expected;
            this.digester = expected.algorithm().newDigester();
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digester.update(b, off, n);
            } else if (n < 0 && !verified) {
                verified = true;
                ContentHash actual = ContentHash.of(expected.algorithm(), digester.finish(), expected.suffix());
                if (!actual.equals(expected)) {
                    throw new CorruptObjectException("object " + expected + " does not hash to its name");
                }
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private void publish(ContentHash hash, Writer writer) {
        Path tmp = nextTempName();
        try {
            try (OutputStream out = createTemp(tmp)) {
                writer.write(out);
            }
            moveIntoPlace(tmp, hash);
            tmp = null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store object " + hash, e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    /** Renames {@code tmp} to the object's name, unless the object is there already; false then. */
    private boolean moveIntoPlace(Path tmp, ContentHash hash) throws IOException {
        Path target = pathOf(hash);
        if (Files.exists(target)) {
            Files.delete(tmp);  // same name, same bytes: another writer won
            return false;
        }
        try {
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException noDirectory) {
            Files.createDirectories(target.getParent());
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException("object store " + dataDir + " needs atomic renames", e);
        }
        return true;
    }

    private Path nextTempName() {
        return txnDir.resolve(TEMP_PREFIX + TEMP_COUNTER.incrementAndGet() + ".tmp");
    }

    /** Creates the temporary file exclusively (a leftover of the same name is an error, never reused). */
    private OutputStream createTemp(Path tmp) throws IOException {
        try {
            return Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (NoSuchFileException noTxn) {
            Files.createDirectories(txnDir);
            return Files.newOutputStream(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p == null) {
            return;
        }
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover in data/txn is harmless: nothing is served from there
        }
    }
}
