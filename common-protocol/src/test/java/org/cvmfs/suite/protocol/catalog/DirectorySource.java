package org.cvmfs.suite.protocol.catalog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.MissingObjectException;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * Test stand-in for the local repository source: reads served trees, trying each directory in
 * turn (a fixture state plus our own object store, for instance).
 */
final class DirectorySource implements RepositorySource {
    private final List<Path> roots;

    DirectorySource(Path... roots) {
        this.roots = List.of(roots);
    }

    @Override
    public byte[] fetchRootFile(String name) {
        for (Path root : roots) {
            Path p = root.resolve(name);
            if (Files.isRegularFile(p)) {
                return read(p);
            }
        }
        throw new UncheckedIOException(new NoSuchFileException(name));
    }

    @Override
    public byte[] fetchObject(ContentHash hash) {
        for (Path root : roots) {
            Path p = root.resolve("data").resolve(hash.objectPath());
            if (Files.isRegularFile(p)) {
                byte[] data = read(p);
                if (!hash.matches(data)) {
                    throw new CorruptObjectException("object " + hash + " does not hash to its name");
                }
                return data;
            }
        }
        throw new MissingObjectException(hash);
    }

    @Override
    public boolean hasObject(ContentHash hash) {
        return roots.stream().anyMatch(r -> Files.isRegularFile(r.resolve("data").resolve(hash.objectPath())));
    }

    @Override
    public String describe() {
        return roots.toString();
    }

    private static byte[] read(Path p) {
        try {
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
