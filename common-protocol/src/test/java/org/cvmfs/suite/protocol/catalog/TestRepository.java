package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.RepositorySource;

/** A repository of our own in a temporary directory, edited through the catalog manager and verified after every commit. */
public final class TestRepository {
    public static final long T0 = 1_800_000_000L;

    public final Path root;
    public final Path tmp;
    public final ObjectStore store;
    public final CountingSource source;
    public ContentHash head;
    public long headSize;
    public long clock = T0;

    public TestRepository(Path dir) {
        this.root = dir.resolve("repo");
        this.tmp = dir.resolve("tmp");
        this.store = new ObjectStore(root);
        this.source = new CountingSource(new LocalRepositorySource(root));
        try (WritableCatalog c = WritableCatalog.createEmptyRoot(dir.resolve("empty.sqlite"), T0, 0, 0)) {
            Path file = c.finish();
            head = CatalogObjects.store(store, HashAlgorithm.SHA1, file);
            headSize = CatalogObjects.size(file);
        }
    }

    /** Opens the head, applies {@code edits}, commits, and requires the verifier to find nothing. */
    public CatalogCommit edit(Consumer<WritableCatalogManager> edits) {
        CatalogCommit commit;
        try (WritableCatalogManager m = WritableCatalogManager.open(source, head, tmp)) {
            edits.accept(m);
            clock += 10;
            commit = m.commit(store, HashAlgorithm.SHA1, Clock.fixed(Instant.ofEpochSecond(clock), ZoneOffset.UTC));
        }
        head = commit.rootHash();
        headSize = commit.rootSize();
        assertEquals(List.of(), verify());
        return commit;
    }

    public List<CatalogFault> verify() {
        return new CatalogVerifier(source, tmp).verify(head, headSize, true);
    }

    public CatalogHierarchy read() {
        return CatalogHierarchy.open(source, head, tmp);
    }

    /** Stores {@code content} as a bulk object and returns a regular file entry for it. */
    public DirectoryEntry.Builder file(String name, String content) {
        byte[] data = content.getBytes(StandardCharsets.UTF_8);
        ContentHash h = store.putCompressed(data, HashAlgorithm.SHA1, ObjectSuffix.NONE);
        return DirectoryEntry.regularFile(name, 0644, data.length, h).mtime(clock);
    }

    /** Stores the pieces as chunk objects of one file. */
    public List<Chunk> chunks(String... pieces) {
        List<Chunk> out = new ArrayList<>();
        long offset = 0;
        for (String piece : pieces) {
            byte[] data = piece.getBytes(StandardCharsets.UTF_8);
            out.add(new Chunk(offset, data.length, store.putCompressed(data, HashAlgorithm.SHA1, ObjectSuffix.PARTIAL)));
            offset += data.length;
        }
        return out;
    }

    public DirectoryEntry.Builder chunkedFile(String name, List<Chunk> chunks) {
        long size = chunks.stream().mapToLong(Chunk::size).sum();
        return DirectoryEntry.chunkedFile(name, 0644, size, HashAlgorithm.SHA1).mtime(clock);
    }

    public static DirectoryEntry dir(String name) {
        return DirectoryEntry.directory(name, 0755).mtime(T0).build();
    }

    public static RepositoryPath p(String s) {
        return RepositoryPath.of(s);
    }

    /** Counts catalog fetches, to prove that edits leave unrelated catalogs alone. */
    public static final class CountingSource implements RepositorySource {
        private final RepositorySource inner;
        public final List<ContentHash> fetched = new ArrayList<>();

        CountingSource(RepositorySource inner) {
            this.inner = inner;
        }

        @Override
        public byte[] fetchRootFile(String name) {
            return inner.fetchRootFile(name);
        }

        @Override
        public byte[] fetchObject(ContentHash hash) {
            fetched.add(hash);
            return inner.fetchObject(hash);
        }

        @Override
        public boolean hasObject(ContentHash hash) {
            return inner.hasObject(hash);
        }

        @Override
        public String describe() {
            return inner.describe();
        }
    }
}
