package org.cvmfs.suite.protocol.repository;

import java.nio.file.Path;
import java.util.Objects;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.store.ObjectStore;

/**
 * Where one repository's files live on a Stratum-0 host, with upstream's names: keys in
 * {@code /etc/cvmfs/keys}, configuration in {@code /etc/cvmfs/repositories.d/REPO}, the served
 * tree in {@code /srv/cvmfs/REPO}, the spool area in {@code /var/spool/cvmfs/REPO}; all below the
 * {@link HostPaths} prefix.
 */
public record RepositoryLayout(HostPaths hostPaths, String fqrn) {
    public static final String MASTER_REPLICA = ".cvmfs_master_replica";

    public RepositoryLayout {
        Objects.requireNonNull(hostPaths, "host paths");
        RepositoryName.validate(fqrn);
    }

    public Path keysDir() {
        return hostPaths.etcCvmfs().resolve("keys");
    }

    /** Upstream's key file names for this host ({@code <fqrn>.key}, {@code .crt}, {@code .masterkey}, {@code .pub}). */
    public KeyDirectory keyDirectory() {
        return new KeyDirectory(keysDir());
    }

    public Path configDir() {
        return hostPaths.etcCvmfs().resolve("repositories.d").resolve(fqrn);
    }

    public Path serverConf() {
        return configDir().resolve("server.conf");
    }

    /** The server's own client configuration, written by mkfs ({@link ClientConf}). */
    public Path clientConf() {
        return configDir().resolve("client.conf");
    }

    /** The directory the web server exposes as {@code http://HOST/cvmfs/REPO}. */
    public Path servedRoot() {
        return hostPaths.srvCvmfs().resolve(fqrn);
    }

    public Path manifest() {
        return servedRoot().resolve(ManifestVerifier.MANIFEST_FILE);
    }

    public Path whitelist() {
        return servedRoot().resolve(ManifestVerifier.WHITELIST_FILE);
    }

    public Path reflog() {
        return servedRoot().resolve(Reflog.FILE_NAME);
    }

    public Path masterReplica() {
        return servedRoot().resolve(MASTER_REPLICA);
    }

    public Path dataDir() {
        return new ObjectStore(servedRoot()).dataDir();
    }

    public Path spoolDir() {
        return hostPaths.spoolCvmfs().resolve(fqrn);
    }

    /** Last reflog digest (hex, no newline), the check's second source of truth for {@code Y}. */
    public Path reflogChecksum() {
        return spoolDir().resolve("reflog.chksum");
    }

    /** The reflog of a revision being installed ({@link PendingReflog}); absent between publications. */
    public Path pendingReflog() {
        return spoolDir().resolve("reflog.pending");
    }

    /** Scratch space for databases being built or inspected. */
    public Path tmpDir() {
        return spoolDir().resolve("tmp");
    }

    /** Held while the head of the repository (manifest, whitelist, reflog) is being replaced. */
    public Path publishLock() {
        return spoolDir().resolve("is_publishing.lock");
    }

    /** The Stratum-0 URL upstream mkfs records when none is given. */
    public String defaultStratum0Url() {
        return "http://localhost/cvmfs/" + fqrn;
    }
}
