package org.cvmfs.suite.server.publish;

import java.net.URI;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.ingest.IngestSettings;

/**
 * Everything a publisher host needs to know about one repository, as its {@code server.conf}
 * and key directory say it.
 *
 * @param repository   the repository name
 * @param gatewayApi   the gateway API prefix from {@code CVMFS_UPSTREAM_STORAGE=gw,<tmp>,<url>}
 * @param gatewayKey   the key from {@code /etc/cvmfs/keys/REPO.gw}
 * @param stratum0     {@code CVMFS_STRATUM0}, where manifests, catalogs and objects are read
 * @param masterKeys   trust anchors for the manifest ({@code REPO.pub})
 * @param spoolDir     {@code /var/spool/cvmfs/REPO}
 * @param ingest       hash algorithm, compression and chunking for new content
 * @param threads      processing threads (content compression and hashing)
 * @param fetchThreads parallel downloads when materialising a transaction
 * @param autoTag      {@code CVMFS_AUTO_TAG}: name untagged publications {@code generic-<time>}
 * @param hostname     sent with lease requests
 * @param gatewayTimeout for each gateway request, commit included
 * @param repositoryMount {@code CVMFS_UNION_DIR} ({@code /cvmfs/REPO}) where the working tree is
 *                        bind-mounted during a transaction if this host permits bind mounts;
 *                        empty when not running as root
 */
public record PublisherSettings(String repository, URI gatewayApi, GatewayKey gatewayKey, URI stratum0,
                                List<PublicKey> masterKeys, Path spoolDir, IngestSettings ingest, int threads,
                                int fetchThreads, boolean autoTag, String hostname, Duration gatewayTimeout,
                                Optional<Path> repositoryMount) {
    public PublisherSettings {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(gatewayApi, "gateway API URL");
        Objects.requireNonNull(gatewayKey, "gateway key");
        Objects.requireNonNull(stratum0, "Stratum-0 URL");
        Objects.requireNonNull(spoolDir, "spool directory");
        Objects.requireNonNull(ingest, "ingest settings");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(gatewayTimeout, "gateway timeout");
        Objects.requireNonNull(repositoryMount, "repository mount");
        masterKeys = List.copyOf(masterKeys);
        if (masterKeys.isEmpty()) {
            throw new IllegalArgumentException("publisher of " + repository + " needs at least one master public key");
        }
        if (threads < 1 || fetchThreads < 1) {
            throw new IllegalArgumentException("thread counts must be positive, got " + threads + " and " + fetchThreads);
        }
    }
}
