package org.cvmfs.suite.protocol.manifest;

import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import org.cvmfs.suite.protocol.store.CorruptObjectException;
import org.cvmfs.suite.protocol.store.RepositorySource;
import org.cvmfs.suite.protocol.store.Zlib;

/**
 * The client's chain of trust for a repository's entry point: the manifest must name the expected
 * repository and be signed by the certificate it names, and that certificate must be listed in an
 * unexpired whitelist for the same repository signed by one of the trusted master keys.
 */
public final class ManifestVerifier {
    public static final String MANIFEST_FILE = ".cvmfspublished";
    public static final String WHITELIST_FILE = ".cvmfswhitelist";
    /** A PEM certificate is a few kilobytes; inflating beyond this means a hostile object. */
    private static final long MAX_CERTIFICATE_BYTES = 256 * 1024;

    private final List<PublicKey> masterKeys;
    private final Clock clock;

    public ManifestVerifier(List<PublicKey> masterKeys, Clock clock) {
        if (masterKeys.isEmpty()) {
            throw new IllegalArgumentException("at least one master public key is needed");
        }
        this.masterKeys = List.copyOf(masterKeys);
        this.clock = clock;
    }

    public VerifiedManifest verify(RepositorySource source, String fqrn) {
        SignedManifest signed = SignedManifest.parse(source.fetchRootFile(MANIFEST_FILE));
        Manifest manifest = signed.manifest();
        if (!manifest.repositoryName().equals(fqrn)) {
            throw new ManifestException("manifest from " + source.describe() + " is for repository '"
                    + manifest.repositoryName() + "', expected '" + fqrn + "'");
        }
        if (manifest.certificate() == null) {
            throw new ManifestException("manifest of " + fqrn + " names no certificate (X)");
        }
        RepositoryCertificate certificate = fetchCertificate(source, manifest);
        signed.verify(certificate);

        SignedWhitelist whitelist = SignedWhitelist.parse(source.fetchRootFile(WHITELIST_FILE));
        whitelist.verify(masterKeys);
        whitelist.whitelist().requireRepositoryName(fqrn);
        whitelist.whitelist().requireNotExpired(clock);
        whitelist.whitelist().requireListed(certificate);
        return new VerifiedManifest(signed, certificate, whitelist);
    }

    private static RepositoryCertificate fetchCertificate(RepositorySource source, Manifest manifest) {
        byte[] stored = source.fetchObject(manifest.certificate());
        try {
            return RepositoryCertificate.parsePem(Zlib.inflate(stored, MAX_CERTIFICATE_BYTES));
        } catch (CorruptObjectException | ManifestException e) {
            throw new ManifestException("certificate object " + manifest.certificate() + ": " + e.getMessage(), e);
        }
    }
}
