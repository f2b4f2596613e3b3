package org.cvmfs.suite.protocol.repository;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.cvmfs.suite.protocol.catalog.Catalog;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.history.Tag;
import org.cvmfs.suite.protocol.history.TagDatabase;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.manifest.SignedWhitelist;
import org.cvmfs.suite.protocol.manifest.VerifiedManifest;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class Stratum0CreatorTest {
    public static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-25T10:00:00Z"), ZoneOffset.UTC);
    public static final RepositoryOwner OWNER = new RepositoryOwner("cvmfs", 1234, 5678);

    @TempDir
    Path prefix;

    static SignedManifest mkfs(RepositoryLayout layout, HashAlgorithm algorithm) {
        return new Stratum0Creator(CLOCK).create(layout, new MkfsOptions(OWNER, algorithm, false));
    }

    @Test
    void createsWhatUpstreamMkfsServes() throws Exception {
        RepositoryLayout layout = new RepositoryLayout(HostPaths.under(prefix), "test.example.org");
        SignedManifest head = mkfs(layout, HashAlgorithm.SHA1);

        for (String ext : List.of(".key", ".crt", ".pub", ".masterkey")) {
            assertTrue(Files.isRegularFile(prefix.resolve("etc/cvmfs/keys/test.example.org" + ext)), ext);
        }
        assertTrue(Files.isRegularFile(prefix.resolve("etc/cvmfs/repositories.d/test.example.org/server.conf")));
        assertTrue(Files.isDirectory(prefix.resolve("srv/cvmfs/test.example.org/data/txn")));
        assertTrue(Files.isDirectory(prefix.resolve("srv/cvmfs/test.example.org/data/ff")));
        assertEquals(Stratum0Creator.MASTER_REPLICA_TEXT, Files.readString(layout.masterReplica()));

        VerifiedManifest verified = new ManifestVerifier(
                List.of(layout.keyDirectory().readMasterPublicKey(layout.fqrn())), CLOCK)
                .verify(new LocalRepositorySource(layout.servedRoot()), layout.fqrn());
        Manifest m = verified.manifest();
        assertEquals(head.manifest(), m);
        assertEquals(1, m.revision());
        assertEquals(240, m.ttlSeconds());
        assertFalse(m.garbageCollectable());
        try (TagDatabase history = TagDatabase.fetch(new LocalRepositorySource(layout.servedRoot()), m.history(),
                prefix.resolve("h"))) {
            assertEquals(m.rootCatalog(), history.find(Tag.HEAD).orElseThrow().target().rootCatalog());
            assertEquals(layout.fqrn(), history.fqrn());
        }
        assertArrayEquals(MetaInfo.skeleton(layout.fqrn()), Zlib.inflate(
                new ObjectStore(layout.servedRoot()).readStored(m.metaInfo()), 1 << 20));
        assertEquals("""
                # Created by cvmfs_server.  Don't touch.
                CVMFS_CACHE_BASE=%1$s/var/spool/cvmfs/test.example.org/cache
                CVMFS_RELOAD_SOCKETS=%1$s/var/spool/cvmfs/test.example.org/cache
                CVMFS_QUOTA_LIMIT=4000
                CVMFS_MOUNT_DIR=/cvmfs
                CVMFS_SERVER_URL=http://localhost/cvmfs/test.example.org
                CVMFS_HTTP_PROXY=DIRECT
                CVMFS_PUBLIC_KEY=%1$s/etc/cvmfs/keys/test.example.org.pub
                CVMFS_CHECK_PERMISSIONS=yes
                CVMFS_IGNORE_SIGNATURE=no
                CVMFS_AUTO_UPDATE=no
                CVMFS_NFS_SOURCE=no
                CVMFS_MAGIC_XATTRS_VISIBILITY=never
                CVMFS_FOLLOW_REDIRECTS=yes
                CVMFS_SERVER_CACHE_MODE=yes
                CVMFS_NFILES=65536
                CVMFS_TALK_SOCKET=%1$s/var/spool/cvmfs/test.example.org/cvmfs_io
                CVMFS_TALK_OWNER=cvmfs
                CVMFS_USE_SSL_SYSTEM_CA=true
                """.formatted(prefix), Files.readString(layout.clientConf()));
        assertEquals(CLOCK.instant().getEpochSecond(), m.publishedSeconds());
        assertEquals("CN=test.example.org CernVM-FS Release Managers", verified.certificate().subject());
        assertEquals(Instant.parse("2026-12-25T10:00:00Z"), verified.whitelist().whitelist().expires());

        ObjectStore store = new ObjectStore(layout.servedRoot());
        byte[] inflated = Zlib.inflate(store.readStored(m.rootCatalog()), 1 << 30);
        assertEquals(m.rootCatalogSize(), inflated.length);
        ContentHash revision0;
        try (Catalog c = Catalog.fromBytes(inflated, prefix.resolve("t"), "root")) {
            assertEquals(1, c.revision());
            assertEquals(240, c.ttl().getAsLong());
            revision0 = c.previousRevision().orElseThrow();
            DirectoryEntry file = c.lookup(RepositoryPath.of("/new_repository")).orElseThrow();
            assertEquals(46, file.size());
            assertEquals(0100644, file.mode());
            assertEquals("dd4d06d15720fac2a8599b3f0312f643e6aa562d", file.hash().toText());
            assertEquals(1234, file.uid());
            DirectoryEntry root = c.lookup(RepositoryPath.ROOT).orElseThrow();
            assertEquals(5678, root.gid());
            assertEquals(2, root.linkcount());
            assertEquals("New CernVM-FS repository for test.example.org\n", new String(
                    Zlib.inflate(store.readStored(file.hash()), 100), StandardCharsets.UTF_8));
        }
        try (Catalog c = Catalog.fromBytes(Zlib.inflate(store.readStored(revision0), 1 << 30), prefix.resolve("t"), "r0")) {
            assertEquals(0, c.revision());
            assertEquals(1, c.rowCount());
            assertTrue(c.previousRevision().isEmpty());
        }

        try (TagDatabase history = TagDatabase.open(Zlib.inflate(store.readStored(m.history()), 1 << 30), prefix.resolve("t"))) {
            List<Tag> tags = history.tags();
            Set<String> names = tags.stream().map(Tag::name).collect(Collectors.toSet());
            assertEquals(Set.of("trunk", "generic-2026-11-25T10:00:00.000Z"), names);
            assertTrue(tags.stream().allMatch(t -> t.target().rootCatalog().equals(m.rootCatalog())
                    && t.target().revision() == 1 && t.target().size() == m.rootCatalogSize()));
            assertTrue(history.previousRevision().isEmpty());
        }

        byte[] reflogBytes = Files.readAllBytes(layout.reflog());
        assertEquals(m.reflog(), Reflog.digestOf(reflogBytes, HashAlgorithm.SHA1));
        assertEquals(m.reflog().toText(), Files.readString(layout.reflogChecksum()));
        try (Reflog reflog = Reflog.open(reflogBytes, prefix.resolve("t"))) {
            for (ContentHash h : List.of(m.rootCatalog(), revision0, m.certificate(), m.history(), m.metaInfo())) {
                assertTrue(reflog.contains(h), h.toString());
            }
            assertEquals(5, reflog.entries().size());
        }
        MetaInfo.requireJsonObject(Zlib.inflate(store.readStored(m.metaInfo()), 1 << 20));

        ServerConfig config = ServerConfig.read(layout);
        assertEquals("cvmfs", config.user().orElseThrow());
        assertEquals(HashAlgorithm.SHA1, config.hashAlgorithm());
        try (var txn = Files.list(layout.dataDir().resolve("txn"))) {
            assertEquals(0, txn.count(), "data/txn is empty after mkfs");
        }
        try (var tmp = Files.list(layout.tmpDir())) {
            assertEquals(0, tmp.count(), "no staging leftovers in the spool");
        }
    }

    @Test
    void otherAlgorithmsAndGarbageCollection() {
        RepositoryLayout layout = new RepositoryLayout(HostPaths.under(prefix), "shake.example.org");
        SignedManifest head = new Stratum0Creator(CLOCK).create(layout,
                new MkfsOptions(OWNER, HashAlgorithm.SHAKE128, true));
        Manifest m = head.manifest();
        assertEquals(HashAlgorithm.SHAKE128, m.rootCatalog().algorithm());
        assertEquals(HashAlgorithm.SHAKE128, m.history().algorithm());
        assertEquals(HashAlgorithm.SHAKE128, m.reflog().algorithm());
        assertEquals(HashAlgorithm.SHAKE128, m.certificate().algorithm());
        assertTrue(m.garbageCollectable());
        assertTrue(head.bodyHashText().endsWith("-shake128"));
        assertTrue(ServerConfig.read(layout).garbageCollection());
        SignedWhitelist w = parseWhitelist(layout);
        assertTrue(w.bodyHashText().endsWith("-shake128"));
    }

    @Test
    void refusesAnExistingRepositoryAndLeavesItAlone() {
        RepositoryLayout layout = new RepositoryLayout(HostPaths.under(prefix), "test.example.org");
        mkfs(layout, HashAlgorithm.SHA1);
        DirectorySnapshot before = DirectorySnapshot.of(prefix);
        RepositoryException e = assertThrows(RepositoryException.class, () -> mkfs(layout, HashAlgorithm.SHA1));
        assertTrue(e.getMessage().startsWith("repository test.example.org already exists ("), e.getMessage());
        assertEquals(before, DirectorySnapshot.of(prefix));
    }

    @Test
    void reusesPreparedKeys() throws Exception {
        RepositoryLayout first = new RepositoryLayout(HostPaths.under(prefix.resolve("a")), "test.example.org");
        mkfs(first, HashAlgorithm.SHA1);
        RepositoryLayout second = new RepositoryLayout(HostPaths.under(prefix.resolve("b")), "test.example.org");
        Files.createDirectories(second.keysDir());
        for (String ext : List.of(".key", ".crt", ".pub", ".masterkey")) {
            Files.copy(first.keysDir().resolve("test.example.org" + ext), second.keysDir().resolve("test.example.org" + ext));
        }
        SignedManifest head = mkfs(second, HashAlgorithm.SHA1);
        assertEquals(mkfsCertificate(first), head.manifest().certificate());
    }

    @Test
    void halfPreparedKeysAreRefusedAndEverythingCreatedIsRemoved() throws Exception {
        RepositoryLayout layout = new RepositoryLayout(HostPaths.under(prefix), "test.example.org");
        Files.createDirectories(layout.keysDir());
        Files.writeString(layout.keysDir().resolve("test.example.org.pub"), "not used");
        DirectorySnapshot before = DirectorySnapshot.of(prefix);
        RepositoryException e = assertThrows(RepositoryException.class, () -> mkfs(layout, HashAlgorithm.SHA1));
        assertTrue(e.getMessage().endsWith("test.example.org.masterkey: the whitelist cannot be signed"), e.getMessage());
        assertEquals(before, DirectorySnapshot.of(prefix));
    }

    private static ContentHash mkfsCertificate(RepositoryLayout layout) throws Exception {
        return SignedManifest.parse(Files.readAllBytes(layout.manifest())).manifest().certificate();
    }

    private static SignedWhitelist parseWhitelist(RepositoryLayout layout) {
        try {
            return SignedWhitelist.parse(Files.readAllBytes(layout.whitelist()));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void initialCommitContentHashIsTheSpecValue() {
        assertArrayEquals(ContentHash.parse("dd4d06d15720fac2a8599b3f0312f643e6aa562d", ObjectSuffix.NONE).digest(),
                ContentHash.compute(HashAlgorithm.SHA1, Zlib.compress(
                        "New CernVM-FS repository for test.example.org\n".getBytes(StandardCharsets.US_ASCII)),
                        ObjectSuffix.NONE).digest());
    }
}
