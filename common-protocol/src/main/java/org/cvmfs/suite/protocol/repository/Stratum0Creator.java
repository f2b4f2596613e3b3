package org.cvmfs.suite.protocol.repository;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.catalog.CatalogCommit;
import org.cvmfs.suite.protocol.catalog.CatalogObjects;
import org.cvmfs.suite.protocol.catalog.DirectoryEntry;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.catalog.WritableCatalog;
import org.cvmfs.suite.protocol.catalog.WritableCatalogManager;
import org.cvmfs.suite.protocol.files.AtomicFile;
import org.cvmfs.suite.protocol.files.DirectoryTree;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.history.Tag;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.RepositoryKeys;
import org.cvmfs.suite.protocol.manifest.RsaKeyPairs;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.sqlite.SqliteFile;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * {@code cvmfs_server mkfs} for a local Stratum-0: keys, the served tree with the empty revision 0
 * signed like upstream does, the whitelist, and the initial commit that adds {@code /new_repository}
 * as revision 1, then {@code server.conf}. Existing key files are reused (an administrator may have
 * prepared them); an existing repository is refused. If creation fails, whatever this run created
 * is removed again.
 */
public final class Stratum0Creator {
    public static final String MASTER_REPLICA_TEXT =
            "This file marks the repository as replicatable to stratum 1 servers\n";
    public static final String NEW_REPOSITORY_FILE = "new_repository";

    private final Clock clock;

    public Stratum0Creator(Clock clock) {
        this.clock = clock;
    }

    /** Creates the repository and returns the manifest of revision 1 as served. */
    public SignedManifest create(RepositoryLayout layout, MkfsOptions options) {
        refuseExisting(layout);
        List<Path> created = new ArrayList<>();
        try {
            return createIn(layout, options, created);
        } catch (RuntimeException e) {
            for (int i = created.size() - 1; i >= 0; i--) {
                deleteTree(created.get(i), e);
            }
            throw e;
        }
    }

    private static void refuseExisting(RepositoryLayout layout) {
        for (Path p : List.of(layout.serverConf(), layout.manifest(), layout.servedRoot(), layout.spoolDir())) {
            if (Files.exists(p)) {
                throw new RepositoryException("repository " + layout.fqrn() + " already exists (" + p + ")");
            }
        }
    }

    private SignedManifest createIn(RepositoryLayout layout, MkfsOptions options, List<Path> created) {
        KeyDirectory keyDir = layout.keyDirectory();
        // Read prepared keys before creating anything, so that a refusal leaves no trace.
        Optional<RepositoryKeys> preparedKeys = preparedRepositoryKeys(layout.fqrn(), keyDir);
        Optional<KeyPair> preparedMaster = preparedMasterKey(layout.fqrn(), keyDir);

        makeDirectory(layout.keysDir(), created);
        makeDirectory(layout.configDir(), created);
        makeDirectory(layout.servedRoot(), created);
        makeDirectory(layout.spoolDir(), created);
        makeDirectory(layout.tmpDir(), created);

        RepositoryKeys keys = preparedKeys.orElseGet(() -> {
            RepositoryKeys generated = RepositoryKeys.generate(layout.fqrn(), clock);
            created.add(keyDir.privateKeyFile(layout.fqrn()));
            created.add(keyDir.certificateFile(layout.fqrn()));
            keyDir.writeRepositoryKeys(generated);
            return generated;
        });
        KeyPair master = preparedMaster.orElseGet(() -> {
            KeyPair generated = RsaKeyPairs.generate();
            created.add(keyDir.masterKeyFile(layout.fqrn()));
            created.add(keyDir.masterPublicKeyFile(layout.fqrn()));
            keyDir.writeMasterKey(layout.fqrn(), generated);
            return generated;
        });

        ObjectStore store = new ObjectStore(layout.servedRoot());
        store.createSkeleton();
        HashAlgorithm algorithm = options.hashAlgorithm();
        long now = clock.instant().getEpochSecond();
        CatalogCommit emptyRoot = storeEmptyRootCatalog(store, algorithm, clock,
                options.owner().uid(), options.owner().gid(), layout.tmpDir());
        ContentHash revision0 = emptyRoot.rootHash();
        ContentHash metaInfo = store.putCompressed(MetaInfo.skeleton(layout.fqrn()), algorithm, ObjectSuffix.META_INFO);

        HeadPublisher publisher = new HeadPublisher(layout, keys, clock);
        Manifest first = new Manifest(revision0, emptyRoot.rootSize(), emptyRoot.ttl(), emptyRoot.revision(),
                options.garbageCollection(), false, layout.fqrn(), null, null, -1, metaInfo, null);
        SignedManifest revision0Manifest = publisher.publishFirst(first);

        new WhitelistResigner(clock).sign(layout, keys.certificate(), master, algorithm);
        writeFile(layout.masterReplica(), MASTER_REPLICA_TEXT);

        CatalogCommit revision1 = initialCommit(layout, store, revision0, algorithm, now);
        SignedManifest head = publisher.publish(Publication.of(revision0Manifest.manifest(), revision1,
                Tag.genericName(clock.instant())));

        ServerConfig.newStratum0(layout, options.owner().name(), algorithm, options.garbageCollection())
                .write(layout);
        ClientConf.write(layout, layout.defaultStratum0Url(), options.owner().name());
        return head;
    }

    private static Optional<RepositoryKeys> preparedRepositoryKeys(String fqrn, KeyDirectory keyDir) {
        boolean key = Files.exists(keyDir.privateKeyFile(fqrn));
        boolean crt = Files.exists(keyDir.certificateFile(fqrn));
        if (key != crt) {
            throw new RepositoryException("found " + (key ? keyDir.privateKeyFile(fqrn) : keyDir.certificateFile(fqrn))
                    + " without " + (key ? keyDir.certificateFile(fqrn) : keyDir.privateKeyFile(fqrn))
                    + "; provide both or neither");
        }
        return key ? Optional.of(keyDir.readRepositoryKeys(fqrn)) : Optional.empty();
    }

    private static Optional<KeyPair> preparedMasterKey(String fqrn, KeyDirectory keyDir) {
        boolean privateHalf = Files.exists(keyDir.masterKeyFile(fqrn));
        boolean publicHalf = Files.exists(keyDir.masterPublicKeyFile(fqrn));
        if (publicHalf && !privateHalf) {
            throw new RepositoryException("found " + keyDir.masterPublicKeyFile(fqrn) + " without "
                    + keyDir.masterKeyFile(fqrn) + ": the whitelist cannot be signed");
        }
        if (privateHalf && !publicHalf) {
            throw new RepositoryException("found " + keyDir.masterKeyFile(fqrn) + " without "
                    + keyDir.masterPublicKeyFile(fqrn) + "; provide both or neither");
        }
        if (!privateHalf) {
            return Optional.empty();
        }
        KeyPair master = keyDir.readMasterKey(fqrn);
        if (!keyDir.readMasterPublicKey(fqrn).equals(master.getPublic())) {
            throw new RepositoryException(keyDir.masterPublicKeyFile(fqrn) + " is not the public half of "
                    + keyDir.masterKeyFile(fqrn));
        }
        return Optional.of(master);
    }

    /**
     * Creates and stores the empty root catalog of a new repository (spec 6.11, revision 0): the
     * root directory owned by {@code uid}:{@code gid}, nothing else; the result names it for the
     * first manifest.
     */
    static CatalogCommit storeEmptyRootCatalog(ObjectStore store, HashAlgorithm algorithm, Clock clock,
            long uid, long gid, Path tempDir) {
        Path file = SqliteFile.newStagingPath(tempDir, "catalog");
        long now = clock.instant().getEpochSecond();
        try (WritableCatalog root = WritableCatalog.createEmptyRoot(file, now, uid, gid)) {
            Path finished = root.finish();
            ContentHash hash = CatalogObjects.store(store, algorithm, finished);
            return new CatalogCommit(hash, CatalogObjects.size(finished), 0, CatalogCommit.DEFAULT_TTL, now, List.of(hash));
        } finally {
            SqliteFile.delete(file);
        }
    }

    /**
     * What upstream's initial commit produces: the root row touched, the file {@code /new_repository},
     * the {@code TTL} property, revision 1 naming revision 0 as its predecessor.
     */
    private CatalogCommit initialCommit(RepositoryLayout layout, ObjectStore store, ContentHash revision0,
                                      HashAlgorithm algorithm, long now) {
        byte[] content = ("New CernVM-FS repository for " + layout.fqrn() + "\n").getBytes(StandardCharsets.UTF_8);
        ContentHash file = store.putCompressed(content, algorithm, ObjectSuffix.NONE);
        try (WritableCatalogManager catalogs = WritableCatalogManager.open(
                new LocalRepositorySource(layout.servedRoot()), revision0, layout.tmpDir())) {
            DirectoryEntry root = catalogs.lookup(RepositoryPath.ROOT).orElseThrow(
                    () -> new RepositoryException("new root catalog has no root entry"));
            catalogs.setAttributes(RepositoryPath.ROOT, root.toBuilder().mtime(now).build());
            catalogs.addFile(RepositoryPath.ROOT.child(NEW_REPOSITORY_FILE),
                    DirectoryEntry.regularFile(NEW_REPOSITORY_FILE, 0644, content.length, file)
                            .mtime(now).uid(root.uid()).gid(root.gid()).build(), List.of());
            catalogs.setTtl(Manifest.DEFAULT_TTL);
            return catalogs.commit(store, algorithm, clock);
        }
    }

    private static void makeDirectory(Path dir, List<Path> created) {
        Path missing = dir.toAbsolutePath();
        while (missing.getParent() != null && !Files.exists(missing.getParent())) {
            missing = missing.getParent();
        }
        boolean existed = Files.exists(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + dir, e);
        }
        if (!existed) {
            created.add(missing);
        }
    }

    private static void writeFile(Path file, String text) {
        AtomicFile.replace(file, text.getBytes(StandardCharsets.US_ASCII));
    }

    private static void deleteTree(Path root, RuntimeException failure) {
        try {
            DirectoryTree.delete(root);
        } catch (UncheckedIOException e) {
            failure.addSuppressed(e);
        }
    }
}
