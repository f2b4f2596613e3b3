package org.cvmfs.suite.protocol.manifest;

import java.security.PrivateKey;

/**
 * The whole {@code .cvmfspublished}: the manifest body, {@code --}, the digest of the body and
 * a SHA1withRSA signature over that digest's text, made with the key of the certificate named by
 * {@code X}.
 */
public final class SignedManifest {
    /** Upstream's server tools read at most 4095 bytes; anything near this limit is not a manifest. */
    public static final int MAX_BYTES = 64 * 1024;
    private static final String WHAT = "manifest";

    private final Manifest manifest;
    private final SignedText text;

    private SignedManifest(Manifest manifest, SignedText text) {
        this.manifest = manifest;
        this.text = text;
    }

    /** Parses the file without verifying anything; see {@link #verify(RepositoryCertificate)}. */
    public static SignedManifest parse(byte[] file) {
        SignedText text = SignedText.split(file, WHAT, MAX_BYTES);
        return new SignedManifest(Manifest.parseBody(text.body()), text);
    }

    /** Exports {@code manifest}, hashes the body with the root catalog's algorithm and signs the hash text. */
    public static SignedManifest sign(Manifest manifest, PrivateKey repositoryKey) {
        if (manifest.certificate() == null) {
            throw new ManifestException("cannot sign a manifest without certificate (X)");
        }
        SignedText text = SignedText.assemble(WHAT, manifest.exportBody(), manifest.rootCatalog().algorithm(),
                hash -> RsaScheme.SHA1_WITH_RSA.sign(repositoryKey, hash));
        return new SignedManifest(manifest, text);
    }

    /**
     * Checks the body digest, then the signature with the certificate's public key. Whether the
     * certificate itself is trusted is the whitelist's business.
     */
    public void verify(RepositoryCertificate certificate) {
        text.verifyBodyDigest();
        String failure = RsaScheme.SHA1_WITH_RSA.failure(certificate.publicKey(), text.hashTextBytes(), text.signature());
        if (failure != null) {
            throw new ManifestException("manifest signature does not verify with certificate "
                    + certificate.subject() + ": " + failure);
        }
    }

    public Manifest manifest() {
        return manifest;
    }

    /** The digest line after {@code --}. */
    public String bodyHashText() {
        return text.hashText();
    }

    public byte[] signature() {
        return text.signature().clone();
    }

    /** The exact bytes of {@code .cvmfspublished}. */
    public byte[] toBytes() {
        return text.toBytes();
    }
}
