package org.cvmfs.suite.protocol.manifest;

import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * The two RSA PKCS#1 v1.5 signatures of CernVM-FS. The manifest is signed like any SHA-1 RSA
 * signature; the whitelist is signed by padding the hash text itself (type 1, no DigestInfo), which
 * is what {@code RSA_private_encrypt} and {@code openssl pkeyutl -sign} produce.
 */
enum RsaScheme {
    /** Manifest: SHA1withRSA over the hash text, with the repository key. */
    SHA1_WITH_RSA("SHA1withRSA"),
    /** Whitelist: NONEwithRSA over the hash text, with the master key. */
    RAW_PKCS1("NONEwithRSA");

    private final String jcaName;

    RsaScheme(String jcaName) {
        this.jcaName = jcaName;
    }

    byte[] sign(PrivateKey key, byte[] data) {
        try {
            Signature s = Signature.getInstance(jcaName);
            s.initSign(key);
            s.update(data);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new ManifestException("cannot sign with " + jcaName + " using a " + key.getAlgorithm()
                    + " key: " + e.getMessage(), e);
        }
    }

    /**
     * Returns null if the signature verifies, otherwise why not. A signature of the wrong length
     * or a key of the wrong type is a failed verification, not an error of the caller.
     */
    String failure(PublicKey key, byte[] data, byte[] signature) {
        try {
            Signature s = Signature.getInstance(jcaName);
            s.initVerify(key);
            s.update(data);
            return s.verify(signature) ? null : "signature mismatch";
        } catch (GeneralSecurityException e) {
            return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        }
    }
}
