package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogHierarchy;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.ingest.ContentProcessor;
import org.cvmfs.suite.protocol.ingest.IngestSettings;
import org.cvmfs.suite.protocol.ingest.ObjectStoreSink;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarIngestTest {
    private static final RepositoryPath BASE = RepositoryPath.of("/sw/pkg");

    @TempDir
    Path tmp;
    Path repo;

    @BeforeEach
    void copyRepository() throws Exception {
        repo = DirectoryTree.copy(Fixtures.gatewayPublication().resolve("after-a"), tmp.resolve("repo"));
    }

    @Test
    void tarballLandsBelowTheBaseWithChunksLinksAndImplicitDirectories() throws Exception {
        byte[] big = new byte[20 << 20];
        new Random(1).nextBytes(big);
        Tar tar = new Tar()
                .dir("./", 0755)
                .file("./bin/tool", 0755, "#!/bin/sh\necho hi\n".getBytes(StandardCharsets.UTF_8))
                .file("data/big.bin", 0644, big)
                .file("deep/er/x.txt", 0600, "first".getBytes(StandardCharsets.UTF_8))
                .file("deep/er/x.txt", 0640, "second".getBytes(StandardCharsets.UTF_8))
                .symlink("bin/alias", "tool")
                .hardlink("bin/tool2", "./bin/tool");

        CatalogHierarchy result = ingest(tar.bytes(false));

        DirectoryEntry tool = result.lookup(BASE.child("bin").child("tool")).orElseThrow();
        assertEquals(0100755, tool.mode());
        assertEquals("#!/bin/sh\necho hi\n", new String(content(result, BASE.child("bin").child("tool")), StandardCharsets.UTF_8));
        assertEquals(tool.hash(), result.lookup(BASE.child("bin").child("tool2")).orElseThrow().hash());
        DirectoryEntry bigEntry = result.lookup(BASE.child("data").child("big.bin")).orElseThrow();
        assertTrue(bigEntry.chunked());
        assertArrayEquals(big, content(result, BASE.child("data").child("big.bin")));
        assertEquals("second", new String(content(result, RepositoryPath.of("/sw/pkg/deep/er/x.txt")), StandardCharsets.UTF_8));
        assertEquals(0100640, result.lookup(RepositoryPath.of("/sw/pkg/deep/er/x.txt")).orElseThrow().mode());
        assertEquals("tool", result.lookup(BASE.child("bin").child("alias")).orElseThrow().symlink());
        assertTrue(result.lookup(RepositoryPath.of("/sw/pkg/deep")).orElseThrow().isDirectory());
        // what was there stays
        assertTrue(result.lookup(RepositoryPath.of("/sw/README.txt")).isPresent());
        result.close();
    }

    @Test
    void gzipTarballReplacesExistingEntries() throws Exception {
        Tar tar = new Tar().file("README.txt", 0644, "replaced".getBytes(StandardCharsets.UTF_8))
                .dir("nested/data.txt", 0755)
                .file("nested/data.txt/inner", 0644, "a directory now".getBytes(StandardCharsets.UTF_8));
        CatalogHierarchy result = ingest(tar.bytes(true), RepositoryPath.of("/sw"));
        assertEquals("replaced", new String(content(result, RepositoryPath.of("/sw/README.txt")), StandardCharsets.UTF_8));
        assertTrue(result.lookup(RepositoryPath.of("/sw/nested/data.txt")).orElseThrow().isDirectory());
        result.close();
        // without a directory member, a file in the way is an error, as for tar itself
        PublisherException e = assertThrows(PublisherException.class, () -> ingest(
                new Tar().file("README.txt/x", 0644, new byte[1]).bytes(false), RepositoryPath.of("/sw")));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    /**
     * Names and link targets are the tarball's bytes, wherever the header keeps them: in the
     * name fields (GNU tar's default for short names, any bytes), in GNU long-name records, or in
     * PAX extended headers (UTF-8, as POSIX says).
     */
    @Test
    void namesAndLinkTargetsAreTheBytesOfTheTarball() throws Exception {
        String longName = "x".repeat(120);
        String longTarget = "y".repeat(120);
        ByteArrayOutputStream gnu = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(gnu, "ISO-8859-1")) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_GNU);
            // ISO-8859-1 writes each char as the one byte it stands for: these are raw byte names
            member(out, "caf\u00c3\u00a9.txt", null);
            member(out, "raw\u00ff", null);
            member(out, longName + "\u00ff", null);
            member(out, "link", "t\u00fe");
            member(out, "longlink", longTarget + "\u00fe");
        }
        ByteArrayOutputStream pax = new ByteArrayOutputStream();
        try (TarArchiveOutputStream out = new TarArchiveOutputStream(pax)) {
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            out.setAddPaxHeadersForNonAsciiNames(true);
            member(out, "na\u00efve", null);
            member(out, longName + "\u00e9", null);
            member(out, "paxlink", "\u00fc\u00fc");
        }

        CatalogHierarchy fromGnu = ingest(gnu.toByteArray());
        assertTrue(fromGnu.lookup(BASE.child("caf\u00e9.txt")).isPresent(), "UTF-8 bytes are the name they encode");
        assertTrue(fromGnu.lookup(BASE.child("raw\udcff")).isPresent(), "a byte that is not UTF-8 is kept");
        assertTrue(fromGnu.lookup(BASE.child(longName + "\udcff")).isPresent(), "GNU long name");
        assertEquals("t\udcfe", fromGnu.lookup(BASE.child("link")).orElseThrow().symlink());
        assertEquals(longTarget + "\udcfe", fromGnu.lookup(BASE.child("longlink")).orElseThrow().symlink());
        fromGnu.close();

        CatalogHierarchy fromPax = ingest(pax.toByteArray());
        assertTrue(fromPax.lookup(BASE.child("na\u00efve")).isPresent(), "PAX path");
        assertTrue(fromPax.lookup(BASE.child(longName + "\u00e9")).isPresent(), "long PAX path");
        assertEquals("\u00fc\u00fc", fromPax.lookup(BASE.child("paxlink")).orElseThrow().symlink());
        fromPax.close();
    }

    private static void member(TarArchiveOutputStream out, String name, String linkTarget) throws Exception {
        TarArchiveEntry e = linkTarget == null ? new TarArchiveEntry(name) : new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
        if (linkTarget == null) {
            e.setMode(0100644);
            e.setSize(3);
            out.putArchiveEntry(e);
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
        } else {
            e.setLinkName(linkTarget);
            out.putArchiveEntry(e);
        }
        out.closeArchiveEntry();
    }

    @Test
    void hostileMembersAreRefused() throws Exception {
        assertRefused(new Tar().file("../escape", 0644, new byte[1]), "'..'");
        assertRefused(new Tar().file("a/../../escape", 0644, new byte[1]), "'..'");
        assertRefused(new Tar().special("pipe", TarConstants.LF_FIFO), "FIFO");
        assertRefused(new Tar().special("dev", TarConstants.LF_CHR), "character device");
        assertRefused(new Tar().hardlink("h", "nowhere"), "not an earlier regular file");
        byte[] whole = new Tar().file("f", 0644, new byte[100_000]).bytes(false);
        assertRefused(Arrays.copyOf(whole, 20_000), "tarball");
    }

    private void assertRefused(Tar tar, String message) throws Exception {
        assertRefused(tar.bytes(false), message);
    }

    private void assertRefused(byte[] tar, String message) {
        PublisherException e = assertThrows(PublisherException.class, () -> ingest(tar));
        assertTrue(e.getMessage().contains(message), e.getMessage());
    }

    private CatalogHierarchy ingest(byte[] tar) {
        return ingest(tar, BASE);
    }

    private CatalogHierarchy ingest(byte[] tar, RepositoryPath base) {
        ObjectStore store = new ObjectStore(repo);
        LocalRepositorySource source = new LocalRepositorySource(repo);
        ContentHash root;
        try {
            root = Manifest.parseBody(Files.readAllBytes(repo.resolve(".cvmfspublished"))).rootCatalog();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        CatalogCommit commit;
        try (ContentProcessor processor = new ContentProcessor(IngestSettings.defaults(), new ObjectStoreSink(store), 2,
                tmp.resolve("spill"));
             WritableCatalogManager catalogs = WritableCatalogManager.open(source, root, tmp.resolve("catalogs"))) {
            TarIngest.ingest(new ByteArrayInputStream(tar), base, catalogs, processor, 1_800_000_000L, 0, 0, w -> { });
            commit = catalogs.commit(store, HashAlgorithm.SHA1, Clock.systemUTC());
        }
        return CatalogHierarchy.open(source, commit.rootHash(), tmp.resolve("read"));
    }

    private byte[] content(CatalogHierarchy catalogs, RepositoryPath path) throws Exception {
        DirectoryEntry e = catalogs.lookup(path).orElseThrow();
        ObjectStore store = new ObjectStore(repo);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (e.chunked()) {
            for (var c : catalogs.chunks(path)) {
                out.write(Zlib.inflate(store.readStored(c.hash()), c.size()));
            }
        } else {
            out.write(Zlib.inflate(store.readStored(e.hash()), e.size()));
        }
        return out.toByteArray();
    }

    /** Builds tarballs member by member. */
    private static final class Tar {
        private final ByteArrayOutputStream raw = new ByteArrayOutputStream();
        private final TarArchiveOutputStream out;

        Tar() {
            out = new TarArchiveOutputStream(raw);
            out.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        }

        Tar dir(String name, int mode) throws Exception {
            TarArchiveEntry e = new TarArchiveEntry(name.endsWith("/") ? name : name + "/");
            e.setMode(040000 | mode);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        Tar file(String name, int mode, byte[] content) throws Exception {
            TarArchiveEntry e = new TarArchiveEntry(name);
            e.setMode(0100000 | mode);
            e.setSize(content.length);
            out.putArchiveEntry(e);
            out.write(content);
            out.closeArchiveEntry();
            return this;
        }

        Tar symlink(String name, String target) throws Exception {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
            e.setLinkName(target);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        Tar hardlink(String name, String target) throws Exception {
            TarArchiveEntry e = new TarArchiveEntry(name, TarConstants.LF_LINK);
            e.setLinkName(target);
            out.putArchiveEntry(e);
            out.closeArchiveEntry();
            return this;
        }

        Tar special(String name, byte type) throws Exception {
            out.putArchiveEntry(new TarArchiveEntry(name, type));
            out.closeArchiveEntry();
            return this;
        }

        byte[] bytes(boolean gzip) throws Exception {
            out.finish();
            out.close();
            if (!gzip) {
                return raw.toByteArray();
            }
            ByteArrayOutputStream z = new ByteArrayOutputStream();
            try (GZIPOutputStream g = new GZIPOutputStream(z)) {
                g.write(raw.toByteArray());
            }
            return z.toByteArray();
        }
    }
}
