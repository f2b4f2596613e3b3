package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.Chunk;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.IngestSettings;
import org.cvmfs.suite.protocol.ingest.ObjectStoreSink;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the recorded upstream publications A and B on the publisher side: the working tree is
 * materialised from the state before, edited as the upstream publisher's was, and published
 * into catalogs. The leased subtree of our new root catalog must equal what upstream served
 * after the publication: same entries, modes, sizes, content hashes, chunks, symlinks and
 * nested catalogs.
 */
class PublisherReplaysUpstreamPublicationsTest {
    private static final RepositoryPath SW = RepositoryPath.of("/sw");

    @TempDir
    Path tmp;

    @Test
    void publicationAFromAnEmptyLease() throws Exception {
        Path repo = copyState("before");
        Path work = tmp.resolve("work");
        TreeSnapshot before = materialize(repo, work);
        assertEquals(0, before.tree().size(), "/sw did not exist before A");
        writeTreeOf("after-a", work);

        CatalogHierarchy result = publish(repo, work, before);

        assertEquals(facts("after-a"), describe(result));
        assertEquals(List.of(RepositoryPath.of("/sw/nested")), nestedCatalogs(result));
        result.close();
    }

    @Test
    void publicationBOnTopOfA() throws Exception {
        Path repo = copyState("after-a");
        Path work = tmp.resolve("work");
        TreeSnapshot before = materialize(repo, work);
        Files.write(work.resolve("lib/version.txt"), content("after-b", "/sw/lib/version.txt"));
        Files.delete(work.resolve("docs/notes.txt"));
        DirectoryTree.delete(work.resolve("nested"));
        Files.createDirectories(work.resolve("extra"));
        Files.write(work.resolve("extra/added.txt"), content("after-b", "/sw/extra/added.txt"));

        CatalogHierarchy result = publish(repo, work, before);

        assertEquals(facts("after-b"), describe(result));
        assertEquals(List.of(), nestedCatalogs(result));
        result.close();
    }

    @Test
    void aFileThatVanishesAfterTheScanFailsThePublicationByName() throws Exception {
        Path repo = copyState("before");
        Path work = tmp.resolve("work");
        TreeSnapshot before = materialize(repo, work);
        writeTreeOf("after-a", work);
        ChangeSet changes = ChangeSet.compute(before, TreeScanner.scan(work, SW));
        Files.delete(work.resolve("lib/version.txt"));
        ObjectStore store = new ObjectStore(repo);
        try (ContentProcessor processor = new ContentProcessor(IngestSettings.defaults(), new ObjectStoreSink(store), 2,
                tmp.resolve("spill"))) {
            RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
                    () -> PublicationBuilder.build(new LocalRepositorySource(repo), baseRoot(repo), changes, work,
                            processor, store, tmp.resolve("catalogs"), Clock.systemUTC()));
            assertTrue(e.getMessage().contains("version.txt"), e.getMessage());
        }
    }

    private CatalogHierarchy publish(Path repo, Path work, TreeSnapshot before) {
        ObjectStore store = new ObjectStore(repo);
        LocalRepositorySource source = new LocalRepositorySource(repo);
        ChangeSet changes = ChangeSet.compute(before, TreeScanner.scan(work, SW));
        PublicationBuilder.Built built;
        try (ContentProcessor processor = new ContentProcessor(IngestSettings.defaults(), new ObjectStoreSink(store), 2,
                tmp.resolve("spill"))) {
            built = PublicationBuilder.build(source, baseRoot(repo), changes, work, processor, store,
                    tmp.resolve("catalogs"), Clock.systemUTC());
        }
        assertTrue(built.filesProcessed() > 0);
        return CatalogHierarchy.open(source, built.commit().rootHash(), tmp.resolve("read"));
    }

    private TreeSnapshot materialize(Path repo, Path work) {
        ObjectCache cache = new ObjectCache(new LocalRepositorySource(repo), new ObjectStore(tmp.resolve("cache")));
        try (CatalogHierarchy catalogs = CatalogHierarchy.open(cache, baseRoot(repo), tmp.resolve("catalogs"))) {
            return new Materializer(cache, 2, w -> { }).materialize(catalogs, SW, work, TreeSnapshot.empty(SW),
                    tmp.resolve("probe")).snapshot();
        }
    }

    private static ContentHash baseRoot(Path repo) {
        try {
            return Manifest.parseBody(Files.readAllBytes(repo.resolve(".cvmfspublished"))).rootCatalog();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private Path copyState(String state) throws Exception {
        return DirectoryTree.copy(Fixtures.gatewayPublication().resolve(state), tmp.resolve("repo"));
    }

    /** Writes the files of /sw as the fixture state has them (content from its objects). */
    private static void writeTreeOf(String state, Path work) throws Exception {
        for (JsonNode e : entries(state)) {
            String path = e.path("path").asText();
            if (!path.startsWith("/sw/")) {
                continue;
            }
            Path target = work.resolve(path.substring(4));
            switch (e.path("type").asText()) {
                case "dir" -> Files.createDirectories(target);
                case "symlink" -> Files.createSymbolicLink(target, Path.of(e.path("target").asText()));
                default -> Files.write(target, content(state, path));
            }
            if (!e.path("type").asText().equals("symlink")) {
                Files.setAttribute(target, "unix:mode", Integer.parseInt(e.path("mode").asText(), 8) & 07777);
            }
        }
    }

    private static byte[] content(String state, String path) throws Exception {
        ObjectStore fixture = new ObjectStore(Fixtures.gatewayPublication().resolve(state));
        for (JsonNode e : entries(state)) {
            if (e.path("path").asText().equals(path)) {
                ByteArrayOutputStream out = new ByteArrayOutputStream();
                if (e.has("chunks")) {
                    for (JsonNode c : e.path("chunks")) {
                        out.write(Zlib.inflate(fixture.readStored(ContentHash.parseSuffixed(c.path("hash").asText())), 1 << 26));
                    }
                } else {
                    out.write(Zlib.inflate(fixture.readStored(ContentHash.parseSuffixed(e.path("hash").asText())), 1 << 26));
                }
                return out.toByteArray();
            }
        }
        throw new IllegalArgumentException(path + " not in " + state);
    }

    private static JsonNode entries(String state) throws Exception {
        return Fixtures.gatewayPublicationFacts()
                .path("states").path(state).path("entries");
    }

    private static List<String> facts(String state) throws Exception {
        List<String> out = new ArrayList<>();
        for (JsonNode e : entries(state)) {
            String path = e.path("path").asText();
            if (path.equals("/sw") || path.startsWith("/sw/")) {
                String type = e.path("type").asText();
                StringBuilder b = new StringBuilder(path + " " + type + " " + e.path("mode").asText());
                if (!type.equals("dir")) {
                    b.append(" ").append(e.path("size").asLong());
                }
                if (e.has("hash")) {
                    b.append(" ").append(e.path("hash").asText());
                }
                for (JsonNode c : e.path("chunks")) {
                    b.append(" ").append(c.path("offset").asLong()).append("+").append(c.path("size").asLong())
                            .append(":").append(c.path("hash").asText());
                }
                if (e.has("target")) {
                    b.append(" -> ").append(e.path("target").asText());
                }
                out.add(b.toString());
            }
        }
        return out.stream().sorted().toList();
    }

    private static List<String> describe(CatalogHierarchy catalogs) {
        List<String> out = new ArrayList<>();
        describe(catalogs, SW, catalogs.lookup(SW).orElseThrow(), out);
        return out.stream().sorted().toList();
    }

    private static void describe(CatalogHierarchy catalogs, RepositoryPath path, DirectoryEntry e, List<String> out) {
        String type = switch (e.kind()) {
            case DIRECTORY -> "dir";
            case SYMLINK -> "symlink";
            default -> "file";
        };
        StringBuilder b = new StringBuilder(path + " " + type + " " + Integer.toOctalString(e.mode()));
        if (!e.isDirectory()) {
            b.append(" ").append(e.size());
        }
        if (e.hash() != null) {
            b.append(" ").append(e.hash().toText());
        }
        if (e.chunked()) {
            for (Chunk c : catalogs.chunks(path)) {
                b.append(" ").append(c.offset()).append("+").append(c.size()).append(":").append(c.hash().toSuffixedText());
            }
        }
        if (e.isSymlink()) {
            b.append(" -> ").append(e.symlink());
        }
        out.add(b.toString());
        if (e.isDirectory()) {
            for (DirectoryEntry child : catalogs.listing(path)) {
                describe(catalogs, path.child(child.name()), child, out);
            }
        }
    }

    /** Mountpoints of the nested catalogs below /sw. */
    private static List<RepositoryPath> nestedCatalogs(CatalogHierarchy catalogs) {
        List<RepositoryPath> out = new ArrayList<>();
        List<RepositoryPath> pending = new ArrayList<>(List.of(SW));
        while (!pending.isEmpty()) {
            RepositoryPath dir = pending.remove(0);
            catalogs.nestedCatalog(dir).ifPresent(ref -> out.add(ref.path()));
            for (DirectoryEntry child : catalogs.listing(dir)) {
                if (child.isDirectory()) {
                    pending.add(dir.child(child.name()));
                }
            }
        }
        return out;
    }
}
