package org.cvmfs.suite.protocol.manifest;

/**
 * A manifest whose whole chain of trust was checked: signature, certificate, whitelist.
 *
 * @param signed      the {@code .cvmfspublished} as fetched
 * @param certificate the certificate named by {@code X}, listed in the whitelist
 * @param whitelist   the {@code .cvmfswhitelist} as fetched
 */
public record VerifiedManifest(SignedManifest signed, RepositoryCertificate certificate, SignedWhitelist whitelist) {
    public Manifest manifest() {
        return signed.manifest();
    }
}
