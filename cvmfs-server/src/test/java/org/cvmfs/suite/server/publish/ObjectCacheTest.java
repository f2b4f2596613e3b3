package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.MissingObjectException;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ObjectCacheTest {
    @TempDir
    Path tmp;

    private ObjectStore served;
    private ObjectStore cached;
    private ObjectCache cache;
    private ContentHash catalog;

    @BeforeEach
    void serveOneCatalog() {
        served = new ObjectStore(tmp.resolve("stratum0"));
        cached = new ObjectStore(tmp.resolve("cache"));
        cache = new ObjectCache(new LocalRepositorySource(tmp.resolve("stratum0")), cached);
        byte[] content = new byte[200_000];
        new Random(3).nextBytes(content);
        catalog = served.putCompressed(content, HashAlgorithm.SHA1, ObjectSuffix.CATALOG);
    }

    @Test
    void streamsAnObjectItDownloadsOnceFromTheCache() throws IOException {
        assertFalse(cache.isCached(catalog));
        assertArrayEquals(served.readStored(catalog), readAll(cache.openObject(catalog)));
        assertTrue(cache.isCached(catalog));
        Files.delete(served.pathOf(catalog));  // the Stratum-0 is not asked again
        assertArrayEquals(cached.readStored(catalog), readAll(cache.openObject(catalog)));
    }

    @Test
    void replacesADamagedCachedCopyBeforeStreamingIt() throws IOException {
        byte[] good = served.readStored(catalog);
        cache.openObject(catalog).close();
        // a valid zlib stream of other bytes: only the name tells, once the whole of it is read
        Files.write(cached.pathOf(catalog), Zlib.compress(new byte[100]));
        assertArrayEquals(good, readAll(cache.openObject(catalog)));
        assertArrayEquals(good, Files.readAllBytes(cached.pathOf(catalog)));
    }

    @Test
    void anObjectTheStratum0LacksIsMissing() {
        ContentHash absent = ContentHash.compute(HashAlgorithm.SHA1, new byte[1], ObjectSuffix.CATALOG);
        assertThrows(MissingObjectException.class, () -> cache.openObject(absent));
        assertFalse(cache.isCached(absent));
    }

    private static byte[] readAll(InputStream in) throws IOException {
        try (in) {
            return in.readAllBytes();
        }
    }
}
