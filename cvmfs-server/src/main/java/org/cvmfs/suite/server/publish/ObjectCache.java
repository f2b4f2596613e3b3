package org.cvmfs.suite.server.publish;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.function.Function;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * The Stratum-0 seen through a local object cache in the spool: objects are immutable, so once
 * fetched they are served from disk for every later transaction. Root files (the manifest and
 * friends) change with every publication and always come from the Stratum-0. Thread-safe.
 */
public final class ObjectCache implements RepositorySource {
    private final RepositorySource remote;
    private final ObjectStore cache;

    public ObjectCache(RepositorySource remote, ObjectStore cache) {
        this.remote = remote;
        this.cache = cache;
    }

    @Override
    public byte[] fetchRootFile(String name) {
        return remote.fetchRootFile(name);
    }

    @Override
    public byte[] fetchObject(ContentHash hash) {
        byte[] cached = intactCopy(hash, cache::readStored);
        return cached != null ? cached : download(hash);
    }

    /**
     * From the cached file, never whole in the heap (catalogs). A damaged copy is found by reading
     * it through once, and replaced by a fresh one before the stream is handed out, as
     * {@link #fetchObject} replaces it. An object not cached yet is downloaded whole, once per
     * host, and handed out from the bytes downloaded.
     */
    @Override
    public InputStream openObject(ContentHash hash) {
        InputStream cached = intactCopy(hash, this::verifiedFile);
        return cached != null ? cached : new ByteArrayInputStream(download(hash));
    }

    /** The cached copy as {@code read} gives it; null if there is none or it was damaged (then removed). */
    private <T> T intactCopy(ContentHash hash, Function<ContentHash, T> read) {
        if (!cache.contains(hash)) {
            return null;
        }
        try {
            return read.apply(hash);
        } catch (CorruptObjectException damaged) {
            discard(hash);  // the caller downloads a fresh copy
            return null;
        }
    }

    /**
     * The cached file, verified by reading it through to its end, then opened again for the
     * caller as it is: hashing it a second time would tell nothing new about an immutable file.
     */
    private InputStream verifiedFile(ContentHash hash) {
        try {
            try (InputStream cached = cache.openStored(hash)) {
                cached.transferTo(OutputStream.nullOutputStream());
            }
            return Files.newInputStream(cache.pathOf(hash));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read cached object " + cache.pathOf(hash), e);
        }
    }

    /** The remote's bytes (verified against the name there), kept in the cache on the way. */
    private byte[] download(ContentHash hash) {
        byte[] stored = remote.fetchObject(hash);
        cache.putStored(stored, hash.algorithm(), hash.suffix());
        return stored;
    }

    @Override
    public boolean hasObject(ContentHash hash) {
        return cache.contains(hash) || remote.hasObject(hash);
    }

    /**
     * Keeps an object this host has just uploaded (its stored bytes, verified against its name on
     * the way in), so that later transactions and publications read it from disk instead of
     * downloading what they sent themselves.
     */
    public void keep(ContentHash hash, InputStream stored, long size) {
        if (!cache.contains(hash)) {
            cache.putVerified(hash, stored, size);
        }
    }

    /** True if the object is on local disk, so fetching it costs no download. */
    public boolean isCached(ContentHash hash) {
        return cache.contains(hash);
    }

    private void discard(ContentHash hash) {
        try {
            Files.deleteIfExists(cache.pathOf(hash));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot remove damaged cached object " + cache.pathOf(hash), e);
        }
    }

    @Override
    public String describe() {
        return remote.describe() + " (cached in " + cache.dataDir() + ")";
    }
}
