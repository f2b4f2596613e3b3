package org.cvmfs.suite.gateway.repo;

import java.nio.file.Path;
import java.util.Map;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * A repository this gateway writes: its name, which key may lease below which path, and where
 * its served tree is stored.
 *
 * @param keyPaths key id to the path that key is restricted to
 */
public record Repository(String name, Map<String, String> keyPaths, Path storage) {
    public Repository {
        keyPaths = Map.copyOf(keyPaths);
    }

    public ObjectStore objects() {
        return new ObjectStore(storage);
    }
}
