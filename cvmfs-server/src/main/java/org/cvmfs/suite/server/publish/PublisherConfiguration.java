package org.cvmfs.suite.server.publish;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.config.ServerConfFile;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.ingest.ChunkDetector;
import org.cvmfs.suite.protocol.ingest.Compression;
import org.cvmfs.suite.protocol.ingest.DeflateLibrary;
import org.cvmfs.suite.protocol.ingest.IngestSettings;
import org.cvmfs.suite.protocol.manifest.KeyFiles;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.ServerConfig;

/**
 * Reads a publisher host's configuration of one repository: {@code server.conf} (the gateway in
 * {@code CVMFS_UPSTREAM_STORAGE}, the Stratum-0 in {@code CVMFS_STRATUM0}, hashing, compression
 * and the library that writes it, chunking and tagging) and the keys {@code REPO.gw} and
 * {@code REPO.pub}.
 */
public final class PublisherConfiguration {
    /** Upstream's client waits forever; we wait long, but not forever, for a commit. */
    public static final Duration GATEWAY_TIMEOUT = Duration.ofHours(2);

    private PublisherConfiguration() {
    }

    public static PublisherSettings load(RepositoryLayout layout) {
        ServerConfig config = ServerConfig.read(layout);
        ServerConfFile file = config.file();
        GatewayUpstream upstream;
        try {
            upstream = GatewayUpstream.parse(file.require("CVMFS_UPSTREAM_STORAGE"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(layout.serverConf() + ": CVMFS_UPSTREAM_STORAGE: " + e.getMessage()
                    + " (is this a publisher of a gateway repository?)");
        }
        URI stratum0 = URI.create(config.stratum0Url().orElseThrow(() -> new ConfigException(layout.serverConf()
                + ": CVMFS_STRATUM0 is missing")));
        Path gatewayKey = layout.keyDirectory().gatewayKeyFile(layout.fqrn());
        Path publicKey = layout.keyDirectory().masterPublicKeyFile(layout.fqrn());
        if (!Files.isRegularFile(gatewayKey)) {
            throw new ConfigException("gateway key " + gatewayKey + " is missing");
        }
        if (!Files.isRegularFile(publicKey)) {
            throw new ConfigException("public key " + publicKey + " is missing");
        }
        int cpus = Runtime.getRuntime().availableProcessors();
        return new PublisherSettings(layout.fqrn(), upstream.apiUrl(), GatewayKey.readFile(gatewayKey),
                stratum0, List.of(KeyFiles.readPublicKey(publicKey)), layout.spoolDir(),
                ingest(config), cpus, Math.max(4, 2 * cpus), config.autoTag(), hostname(), GATEWAY_TIMEOUT,
                ProcessOwner.current().isRoot() ? Optional.of(unionDir(layout, file)) : Optional.empty());
    }

    /** {@code CVMFS_UNION_DIR} (default {@code /cvmfs/REPO}), below the host path prefix. */
    static Path unionDir(RepositoryLayout layout, ServerConfFile file) {
        String dir = file.get("CVMFS_UNION_DIR").filter(s -> s.startsWith("/")).orElse("/cvmfs/" + layout.fqrn());
        return layout.hostPaths().resolve(dir);
    }

    static IngestSettings ingest(ServerConfig config) {
        ServerConfFile f = config.file();
        Compression compression;
        try {
            compression = Compression.fromConfigName(f.get("CVMFS_COMPRESSION_ALGORITHM").filter(s -> !s.isEmpty())
                    .orElse("default"));
        } catch (IllegalArgumentException e) {
            throw new ConfigException("CVMFS_COMPRESSION_ALGORITHM: " + e.getMessage());
        }
        boolean chunking = !"false".equals(f.get("CVMFS_USE_FILE_CHUNKING").orElse("true"));
        Optional<ChunkDetector> detector = Optional.empty();
        if (chunking) {
            try {
                detector = Optional.of(new ChunkDetector(
                        size(f, "CVMFS_MIN_CHUNK_SIZE", ChunkDetector.DEFAULT_MIN_SIZE),
                        size(f, "CVMFS_AVG_CHUNK_SIZE", ChunkDetector.DEFAULT_AVERAGE_SIZE),
                        size(f, "CVMFS_MAX_CHUNK_SIZE", ChunkDetector.DEFAULT_MAX_SIZE)));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("chunk sizes: " + e.getMessage());
            }
        }
        DeflateLibrary deflate;
        try {
            deflate = DeflateLibrary.fromConfigName(f.get(DeflateLibrary.CONFIG_KEY).filter(s -> !s.isEmpty())
                    .orElse(DeflateLibrary.ZLIB.configName()));
        } catch (IllegalArgumentException e) {
            throw new ConfigException(DeflateLibrary.CONFIG_KEY + ": " + e.getMessage());
        }
        return new IngestSettings(config.hashAlgorithm(), compression, detector, deflate);
    }

    private static long size(ServerConfFile f, String key, long dflt) {
        String v = f.get(key).filter(s -> !s.isEmpty()).orElse(null);
        if (v == null) {
            return dflt;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " is '" + v + "', not a number of bytes");
        }
    }

    private static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
