package org.cvmfs.suite.protocol.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.store.ObjectStore;

/** Stores processed objects directly into a local repository's {@code data/}. */
public final class ObjectStoreSink implements ObjectSink {
    private final ObjectStore store;

    public ObjectStoreSink(ObjectStore store) {
        this.store = store;
    }

    @Override
    public void accept(ContentHash hash, StagedObject object) {
        if (store.contains(hash)) {
            return;
        }
        if (object.inMemory()) {
            ContentHash stored = store.putStored(object.bytes(), hash.algorithm(), hash.suffix());
            if (!stored.equals(hash)) {
                throw new IllegalStateException("staged bytes of " + hash + " were stored as " + stored);
            }
            return;
        }
        try (InputStream in = object.openStream()) {
            store.putVerified(hash, in, object.size());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot store object " + hash, e);
        }
    }
}
