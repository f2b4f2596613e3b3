package org.cvmfs.suite.protocol.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.cvmfs.suite.protocol.hash.ContentHash;

/** A repository served from a local directory such as {@code /srv/cvmfs/REPO}. */
public final class LocalRepositorySource implements RepositorySource {
    private final Path root;
    private final ObjectStore objects;
    private final FetchLimits limits;

    public LocalRepositorySource(Path root, FetchLimits limits) {
        this.root = root.toAbsolutePath().normalize();
        this.objects = new ObjectStore(this.root);
        this.limits = limits;
    }

    public LocalRepositorySource(Path root) {
        this(root, FetchLimits.DEFAULT);
    }

    @Override
    public byte[] fetchRootFile(String name) {
        Path file = root.resolve(RootFileNames.require(name));
        try {
            return read(file, limits.maxRootFileBytes());
        } catch (NoSuchFileException e) {
            throw new MissingRootFileException(name, describe());
        }
    }

    @Override
    public byte[] fetchObject(ContentHash hash) {
        byte[] data;
        try {
            data = read(objects.pathOf(hash), limits.maxObjectBytes());
        } catch (NoSuchFileException e) {
            throw new MissingObjectException(hash, describe());
        }
        if (!hash.matches(data)) {
            throw new CorruptObjectException("object " + hash + " in " + describe() + " does not hash to its name");
        }
        return data;
    }

    /** Straight from the object's file: a catalog is never whole in the heap of the gateway's merge. */
    @Override
    public InputStream openObject(ContentHash hash) {
        try {
            return objects.openStored(hash);
        } catch (MissingObjectException e) {
            throw new MissingObjectException(hash, describe());
        }
    }

    @Override
    public boolean hasObject(ContentHash hash) {
        return Files.isRegularFile(objects.pathOf(hash));
    }

    @Override
    public String describe() {
        return root.toString();
    }

    /** Reads at most {@code limit} bytes and refuses a longer file, even one that grows while read. */
    private static byte[] read(Path file, long limit) throws NoSuchFileException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] data = in.readNBytes((int) limit + 1);
            if (data.length > limit) {
                throw new RepositoryFetchException(file + " is larger than the " + limit + " bytes allowed");
            }
            return data;
        } catch (NoSuchFileException e) {
            throw e;
        } catch (IOException e) {
            throw new RepositoryFetchException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }
}
