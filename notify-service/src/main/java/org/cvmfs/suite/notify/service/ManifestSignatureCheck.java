package org.cvmfs.suite.notify.service;

/**
 * Decides whether a published manifest is signed by its repository. The seam where the
 * repository's certificate meets the manifest verifier of common-protocol.
 */
public interface ManifestSignatureCheck {
    /**
     * @param manifestFile the whole {@code .cvmfspublished}, signature block included
     * @throws PublicationRefusedException with cause FORGED when the signature does not verify
     */
    void check(String repository, byte[] manifestFile);
}
