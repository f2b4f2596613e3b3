package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import org.cvmfs.suite.protocol.config.ConfigException;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;
import org.cvmfs.suite.protocol.manifest.KeyFiles;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.manifest.RepositoryCertificate;
import org.cvmfs.suite.protocol.manifest.VerifiedManifest;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.RepositoryOwner;
import org.cvmfs.suite.protocol.repository.ServerConfig;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * {@code cvmfs_server mkfs -u gw,<tmp>,<url> -w <stratum0> -k <keys> REPO} on a publisher host:
 * imports the repository certificate, master public key and gateway key (no private key: the
 * gateway signs), records gateway and Stratum-0 in {@code server.conf}, and checks that the
 * Stratum-0 answers with a manifest that verifies with these keys. Nothing is sent to the
 * gateway, as with upstream.
 */
public final class GatewayMkfs {
    /**
     * @param keySource directory holding {@code REPO.crt}, {@code REPO.pub} and {@code REPO.gw}
     */
    public record Options(GatewayUpstream upstream, URI stratum0, Path keySource, RepositoryOwner owner,
                          HashAlgorithm algorithm) {
        public Options {
            Objects.requireNonNull(upstream, "gateway upstream (-u)");
            Objects.requireNonNull(stratum0, "Stratum-0 URL (-w)");
            Objects.requireNonNull(keySource, "key directory (-k)");
            Objects.requireNonNull(owner, "owner (-o)");
            Objects.requireNonNull(algorithm, "hash algorithm");
        }
    }

    private GatewayMkfs() {
    }

    /** Sets the repository up; {@code stratum0} reads what {@code options.stratum0()} serves. */
    public static VerifiedManifest create(RepositoryLayout layout, Options options, RepositorySource stratum0, Clock clock) {
        String fqrn = layout.fqrn();
        if (Files.exists(layout.serverConf())) {
            throw new ConfigException("repository " + fqrn + " already exists (" + layout.serverConf() + ")");
        }
        KeyDirectory source = new KeyDirectory(options.keySource());
        Path crt = source.certificateFile(fqrn);
        Path pub = source.masterPublicKeyFile(fqrn);
        Path gw = source.gatewayKeyFile(fqrn);
        for (Path p : List.of(crt, pub, gw)) {
            if (!Files.isRegularFile(p)) {
                throw new ConfigException("key file " + p + " is missing (a gateway publisher needs "
                        + fqrn + ".crt, .pub and .gw)");
            }
        }
        GatewayKey.readFile(gw);
        RepositoryCertificate certificate = KeyFiles.readCertificate(crt);
        VerifiedManifest head = new ManifestVerifier(List.of(KeyFiles.readPublicKey(pub)), clock).verify(stratum0, fqrn);
        if (!Arrays.equals(head.certificate().publicKey().getEncoded(), certificate.publicKey().getEncoded())) {
            throw new ConfigException("certificate " + crt + " is not the one that signs " + fqrn + " at "
                    + options.stratum0());
        }

        KeyDirectory keys = layout.keyDirectory();
        copyKey(crt, keys.certificateFile(fqrn), "r--r--r--");
        copyKey(pub, keys.masterPublicKeyFile(fqrn), "r--r--r--");
        copyKey(gw, keys.gatewayKeyFile(fqrn), "r--------");
        ServerConfig stratum0Config = ServerConfig.newStratum0(layout, options.owner().name(), options.algorithm(), false);
        ServerConfig config = ServerConfig.from(stratum0Config.file()
                .with("CVMFS_STRATUM0", options.stratum0().toString())
                .with("CVMFS_UPSTREAM_STORAGE", options.upstream().format()), fqrn);
        try {
            Files.createDirectories(layout.spoolDir());
            Files.createDirectories(new PublisherSpool(layout.spoolDir()).tmpDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create spool directory " + layout.spoolDir(), e);
        }
        config.write(layout);
        return head;
    }

    private static void copyKey(Path from, Path to, String mode) {
        try {
            Files.createDirectories(to.getParent());
            if (Files.exists(to) && Files.isSameFile(from, to)) {
                return;
            }
            Path tmp = to.resolveSibling(to.getFileName() + ".tmp");
            Files.copy(from, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(mode));
            Files.move(tmp, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot import key " + from + " into " + to, e);
        }
    }
}
