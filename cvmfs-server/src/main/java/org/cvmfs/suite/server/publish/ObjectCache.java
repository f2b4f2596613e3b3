package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
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
        if (cache.contains(hash)) {
            try {
                return cache.readStored(hash);
            } catch (CorruptObjectException damaged) {
                discard(hash);  // replaced below by a fresh copy
            }
        }
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
