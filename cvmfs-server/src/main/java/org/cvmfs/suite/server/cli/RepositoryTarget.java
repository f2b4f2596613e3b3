package org.cvmfs.suite.server.cli;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.manifest.KeyDirectory;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.repository.RepositoryException;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.check.RepositoryChecker;
import org.cvmfs.suite.protocol.store.HttpRepositorySource;
import org.cvmfs.suite.protocol.store.LocalRepositorySource;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * The {@code REPO|URL} argument of the read-only commands: a repository served from this host
 * ({@code /srv/cvmfs/REPO}) or any Stratum's base URL. Master keys come from {@code -k}, else from
 * this host's {@code /etc/cvmfs/keys/REPO.pub} when it exists.
 *
 * @param source     where the repository is read
 * @param fqrn       the repository name
 * @param masterKeys keys to verify the whitelist with; empty if none is at hand
 * @param layout     the local layout, null for a URL
 */
record RepositoryTarget(RepositorySource source, String fqrn, List<PublicKey> masterKeys, RepositoryLayout layout) {

    static RepositoryTarget resolve(String target, String expectedName, List<Path> keyFiles, HostPaths hostPaths) {
        List<PublicKey> explicitKeys = RepositoryChecker.readMasterKeys(keyFiles);
        if (target.contains("://")) {
            RepositorySource source = new HttpRepositorySource(URI.create(target));
            String fqrn = expectedName != null ? expectedName : SignedManifest.parse(
                    source.fetchRootFile(ManifestVerifier.MANIFEST_FILE)).manifest().repositoryName();
            return new RepositoryTarget(source, fqrn, explicitKeys.isEmpty() ? localKey(hostPaths, fqrn) : explicitKeys, null);
        }
        RepositoryLayout layout = new RepositoryLayout(hostPaths, target);
        if (expectedName != null && !expectedName.equals(target)) {
            throw new RepositoryException("-N " + expectedName + " contradicts repository " + target);
        }
        if (!Files.isDirectory(layout.servedRoot())) {
            throw new RepositoryException("repository " + target + " is not served from this host ("
                    + layout.servedRoot() + " does not exist)");
        }
        return new RepositoryTarget(new LocalRepositorySource(layout.servedRoot()), target,
                explicitKeys.isEmpty() ? localKey(hostPaths, target) : explicitKeys, layout);
    }

    private static List<PublicKey> localKey(HostPaths hostPaths, String fqrn) {
        KeyDirectory keys = new RepositoryLayout(hostPaths, fqrn).keyDirectory();
        return Files.exists(keys.masterPublicKeyFile(fqrn)) ? List.of(keys.readMasterPublicKey(fqrn)) : List.of();
    }
}
