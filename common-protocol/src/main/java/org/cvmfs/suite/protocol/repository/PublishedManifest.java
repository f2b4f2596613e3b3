package org.cvmfs.suite.protocol.repository;

import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.manifest.SignedManifest;
import org.cvmfs.suite.protocol.store.RepositorySource;

/**
 * The manifest a repository serves, and whether its chain of trust was verified. Listing tools
 * may look at a repository for which no master key is at hand; they must say so.
 *
 * @param manifest the parsed {@code .cvmfspublished}
 * @param verified true if signature, certificate and whitelist were checked with a master key
 */
public record PublishedManifest(Manifest manifest, boolean verified) {
    /**
     * Fetches the manifest; verifies it like a client if {@code masterKeys} is not empty.
     *
     * @param fqrn the expected repository name, or null to take the manifest's own {@code N}
     *             (then still required to match the whitelist, which the master key signed)
     */
    public static PublishedManifest read(RepositorySource source, String fqrn, List<PublicKey> masterKeys,
                                         Clock clock) {
        Manifest parsed = SignedManifest.parse(source.fetchRootFile(ManifestVerifier.MANIFEST_FILE)).manifest();
        String name = fqrn != null ? fqrn : parsed.repositoryName();
        if (masterKeys.isEmpty()) {
            if (!parsed.repositoryName().equals(name)) {
                throw new RepositoryException("manifest from " + source.describe() + " is for repository '"
                        + parsed.repositoryName() + "', expected '" + name + "'");
            }
            return new PublishedManifest(parsed, false);
        }
        return new PublishedManifest(new ManifestVerifier(masterKeys, clock).verify(source, name).manifest(), true);
    }
}
