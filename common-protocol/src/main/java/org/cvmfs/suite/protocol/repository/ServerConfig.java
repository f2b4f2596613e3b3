package org.cvmfs.suite.protocol.repository;

import java.nio.file.Files;
import java.util.Optional;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.config.ServerConfFile;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;

/**
 * A repository's {@code /etc/cvmfs/repositories.d/REPO/server.conf}: the settings upstream
 * {@code cvmfs_server} reads, written with upstream's keys so that upstream tools can manage a
 * repository we created, and read so that we can manage one upstream created.
 */
public final class ServerConfig {
    /**
     * Layout version of upstream 2.12's {@code cvmfs_server}; upstream refuses to operate on a
     * repository whose creator version it considers newer than itself, or asks for a migration
     * when it is older.
     */
    public static final String CREATOR_VERSION = "143";
    public static final String STRATUM0 = "stratum0";

    private final ServerConfFile file;
    private final String repositoryName;
    private final HashAlgorithm hashAlgorithm;

    private ServerConfig(ServerConfFile file, String repositoryName, HashAlgorithm hashAlgorithm) {
        this.file = file;
        this.repositoryName = repositoryName;
        this.hashAlgorithm = hashAlgorithm;
    }

    /** What upstream mkfs writes for a local Stratum-0, with the layout's (possibly relocated) paths. */
    public static ServerConfig newStratum0(RepositoryLayout layout, String user, HashAlgorithm algorithm,
                                           boolean garbageCollection) {
        String served = layout.servedRoot().toString();
        ServerConfFile f = ServerConfFile.create("Created by cvmfs_server.")
                .with("CVMFS_CREATOR_VERSION", CREATOR_VERSION)
                .with("CVMFS_REPOSITORY_NAME", layout.fqrn())
                .with("CVMFS_REPOSITORY_TYPE", STRATUM0)
                .with("CVMFS_USER", user)
                .with("CVMFS_UNION_DIR", "/cvmfs/" + layout.fqrn())
                .with("CVMFS_SPOOL_DIR", layout.spoolDir().toString())
                .with("CVMFS_STRATUM0", layout.defaultStratum0Url())
                .with("CVMFS_UPSTREAM_STORAGE", "local," + served + "/data/txn," + served)
                .with("CVMFS_USE_FILE_CHUNKING", "true")
                .with("CVMFS_MIN_CHUNK_SIZE", "4194304")
                .with("CVMFS_AVG_CHUNK_SIZE", "8388608")
                .with("CVMFS_MAX_CHUNK_SIZE", "16777216")
                .with("CVMFS_UNION_FS_TYPE", "overlayfs")
                .with("CVMFS_HASH_ALGORITHM", algorithm.configName())
                .with("CVMFS_COMPRESSION_ALGORITHM", "default")
                .with("CVMFS_EXTERNAL_DATA", "false")
                .with("CVMFS_AUTO_TAG", "true")
                .with("CVMFS_AUTO_TAG_TIMESPAN", "")
                .with("CVMFS_GARBAGE_COLLECTION", Boolean.toString(garbageCollection))
                .with("CVMFS_AUTO_REPAIR_MOUNTPOINT", "true")
                .with("CVMFS_AUTOCATALOGS", "false")
                .with("CVMFS_ASYNC_SCRATCH_CLEANUP", "true")
                .with("CVMFS_PRINT_STATISTICS", "false")
                .with("CVMFS_UPLOAD_STATS_DB", "false")
                .with("CVMFS_UPLOAD_STATS_PLOTS", "false")
                .with("CVMFS_IGNORE_XDIR_HARDLINKS", "true");
        return from(f, layout.fqrn());
    }

    /** Reads and validates the repository's server.conf. */
    public static ServerConfig read(RepositoryLayout layout) {
        if (!Files.isRegularFile(layout.serverConf())) {
            throw new ConfigException("repository " + layout.fqrn() + " has no server configuration at "
                    + layout.serverConf());
        }
        return from(ServerConfFile.read(layout.serverConf()), layout.fqrn());
    }

    /** Validates {@code file} as the server configuration of {@code expectedFqrn}. */
    public static ServerConfig from(ServerConfFile file, String expectedFqrn) {
        String name = file.require("CVMFS_REPOSITORY_NAME");
        if (!name.equals(expectedFqrn)) {
            throw new ConfigException("CVMFS_REPOSITORY_NAME is '" + name + "', expected '" + expectedFqrn + "'");
        }
        String algorithmName = file.get("CVMFS_HASH_ALGORITHM").filter(s -> !s.isEmpty()).orElse("sha1");
        HashAlgorithm algorithm;
        try {
            algorithm = HashAlgorithm.fromConfigName(algorithmName);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("CVMFS_HASH_ALGORITHM: " + e.getMessage());
        }
        ServerConfig config = new ServerConfig(file, name, algorithm);
        config.flag("CVMFS_GARBAGE_COLLECTION", false);
        config.flag("CVMFS_AUTO_TAG", true);
        return config;
    }

    public void write(RepositoryLayout layout) {
        file.write(layout.serverConf());
    }

    public ServerConfFile file() {
        return file;
    }

    public String repositoryName() {
        return repositoryName;
    }

    /** {@code stratum0}, {@code stratum1}, or empty for an unusual file. */
    public Optional<String> repositoryType() {
        return file.get("CVMFS_REPOSITORY_TYPE");
    }

    public Optional<String> user() {
        return file.get("CVMFS_USER");
    }

    public Optional<String> stratum0Url() {
        return file.get("CVMFS_STRATUM0").filter(s -> !s.isEmpty());
    }

    public HashAlgorithm hashAlgorithm() {
        return hashAlgorithm;
    }

    public boolean garbageCollection() {
        return flag("CVMFS_GARBAGE_COLLECTION", false);
    }

    /** Whether every publication also gets a {@code generic-<time>} tag. */
    public boolean autoTag() {
        return flag("CVMFS_AUTO_TAG", true);
    }

    private boolean flag(String key, boolean dflt) {
        String v = file.get(key).orElse("");
        return switch (v) {
            case "" -> dflt;
            case "true" -> true;
            case "false" -> false;
            default -> throw new ConfigException(key + " is '" + v + "', expected true or false");
        };
    }
}
