package org.cvmfs.suite.protocol.catalog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.catalog.CatalogCounters.Field;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reads the catalogs upstream 2.12 wrote for {@code test.local}. */
class UpstreamCatalogReadTest {
    @TempDir
    Path tmp;
    CatalogHierarchy tree;

    @BeforeEach
    void open() throws Exception {
        Path served = Fixtures.upstreamTestLocal().resolve("served");
        tree = CatalogHierarchy.open(new LocalRepositorySource(served), rootHash(served), tmp);
    }

    @AfterEach
    void close() {
        tree.close();
    }

    static ContentHash rootHash(Path served) throws Exception {
        return Manifest.parseBody(Files.readAllBytes(served.resolve(".cvmfspublished"))).rootCatalog();
    }

    static RepositoryPath p(String s) {
        return RepositoryPath.of(s);
    }

    @Test
    void rootCatalogProperties() {
        Catalog root = tree.rootCatalog();
        assertEquals("2.5", root.schema());
        assertEquals(7, root.schemaRevision());
        assertEquals(3, root.revision());
        assertEquals(RepositoryPath.ROOT, root.rootPrefix());
        assertEquals(240, root.ttl().getAsLong());
        assertEquals("02b3b861187427c058d23a631cd3a35fd52fddc6", root.previousRevision().orElseThrow().toText());
    }

    @Test
    void rootEntries() {
        List<String> names = tree.listing(RepositoryPath.ROOT).stream().map(DirectoryEntry::name).toList();
        assertEquals(List.of("README.txt", "big.dat", "dir", "empty.txt", "exec.sh", "ingested", "link-to-readme",
                "nested", "new_repository"), names);
        DirectoryEntry root = tree.lookup(RepositoryPath.ROOT).orElseThrow();
        assertTrue(root.isDirectory());
        assertEquals("", root.name());
        assertEquals(5, root.linkcount()); // 2 + dir, ingested, nested
        assertEquals(1, root.flags().value());
    }

    @Test
    void execModeAndEmptyFile() {
        DirectoryEntry exec = tree.lookup(p("/exec.sh")).orElseThrow();
        assertEquals(0755, exec.permissions());
        assertEquals(0100755, exec.mode());
        DirectoryEntry empty = tree.lookup(p("/empty.txt")).orElseThrow();
        assertEquals(0, empty.size());
        assertEquals("e8ec3d88b62ebf526e4e5a4ff6162a3aa48a6b78", empty.hash().toText());
    }

    @Test
    void symlink() {
        DirectoryEntry link = tree.lookup(p("/link-to-readme")).orElseThrow();
        assertEquals(EntryKind.SYMLINK, link.kind());
        assertEquals("README.txt", link.symlink());
        assertEquals(10, link.size());
        assertNull(link.hash());
        assertEquals(12, link.flags().value());
    }

    @Test
    void chunkedFile() {
        DirectoryEntry big = tree.lookup(p("/big.dat")).orElseThrow();
        assertTrue(big.chunked());
        assertNull(big.hash());
        assertEquals(68, big.flags().value());
        List<Chunk> chunks = tree.chunks(p("/big.dat"));
        assertEquals(2, chunks.size());
        assertEquals(0, chunks.get(0).offset());
        assertEquals(6529714, chunks.get(0).size());
        assertEquals("64a5ee755ddbe35d16d5994172dd3e922e1c2269P", chunks.get(0).hash().toSuffixedText());
        assertEquals(6529714, chunks.get(1).offset());
        assertEquals(big.size(), chunks.get(0).size() + chunks.get(1).size());
        assertNull(Chunk.listProblem(chunks, big.size()));
    }

    @Test
    void hardLinksAreSeparateEntries() {
        DirectoryEntry hl1 = tree.lookup(p("/dir/hl1")).orElseThrow();
        DirectoryEntry hl2 = tree.lookup(p("/dir/hl2")).orElseThrow();
        assertEquals(hl1.hash(), hl2.hash());
        assertEquals(1, hl1.linkcount());
        assertEquals(0, hl1.hardlinkGroup());
    }

    @Test
    void nestedCatalog() {
        NestedCatalogRef ref = tree.nestedCatalog(p("/nested")).orElseThrow();
        assertEquals("503b84b98f00f8e84eaa102175d4b4ee1018774f", ref.hash().toText());
        assertEquals(57344, ref.size());
        Catalog parent = tree.rootCatalog();
        DirectoryEntry mountpoint = parent.lookup(p("/nested")).orElseThrow();
        assertTrue(mountpoint.nestedMountpoint());
        assertEquals(3, mountpoint.flags().value());
        assertTrue(parent.listing(p("/nested")).isEmpty(), "a mountpoint has no children in the parent");

        DirectoryEntry nestedRoot = tree.lookup(p("/nested")).orElseThrow();
        assertTrue(nestedRoot.nestedRoot());
        assertEquals(33, nestedRoot.flags().value());
        assertEquals(mountpoint.withoutTransition(), nestedRoot.withoutTransition());
        Catalog nested = tree.catalogFor(p("/nested/file.txt"));
        assertEquals(p("/nested"), nested.rootPrefix());
        assertEquals(1, nested.revision());
        assertEquals("0".repeat(40), nested.previousRevision().orElseThrow().toText());
        assertEquals(List.of(".cvmfscatalog", "deeper", "file.txt"),
                tree.listing(p("/nested")).stream().map(DirectoryEntry::name).toList());
        assertEquals(22, tree.lookup(p("/nested/file.txt")).orElseThrow().size());
        assertTrue(tree.lookup(p("/nested/deeper/c.txt")).isPresent());
        assertFalse(parent.lookup(p("/nested/file.txt")).isPresent());
    }

    @Test
    void counters() {
        CatalogCounters root = tree.rootCatalog().counters();
        assertEquals(6, root.self(Field.DIR));
        assertEquals(11, root.self(Field.REGULAR));
        assertEquals(1, root.self(Field.SYMLINK));
        assertEquals(1, root.self(Field.NESTED));
        assertEquals(2, root.self(Field.CHUNKS));
        assertEquals(9437363, root.self(Field.FILE_SIZE));
        assertEquals(2, root.subtree(Field.DIR));
        assertEquals(3, root.subtree(Field.REGULAR));
        assertEquals(root.subtree(Field.FILE_SIZE), tree.catalogFor(p("/nested")).counters().total(Field.FILE_SIZE));
    }
}
