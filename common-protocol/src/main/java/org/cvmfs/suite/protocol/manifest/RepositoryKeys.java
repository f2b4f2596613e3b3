package org.cvmfs.suite.protocol.manifest;

import java.security.KeyPair;
import java.security.PrivateKey;
import java.time.Clock;
import java.util.Objects;

/**
 * What signs a repository's manifests: the private key {@code <fqrn>.key} and the certificate
 * {@code <fqrn>.crt} that carries its public half.
 */
public record RepositoryKeys(String fqrn, PrivateKey privateKey, RepositoryCertificate certificate) {
    public RepositoryKeys {
        Objects.requireNonNull(fqrn, "fqrn");
        Objects.requireNonNull(privateKey, "private key");
        Objects.requireNonNull(certificate, "certificate");
        if (!RsaKeyPairs.samePair(certificate.publicKey(), privateKey)) {
            throw new ManifestException("the private key of " + fqrn + " does not belong to certificate "
                    + certificate.subject());
        }
    }

    /** A fresh RSA-2048 key and its self-signed certificate, as {@code cvmfs_server mkfs} makes them. */
    public static RepositoryKeys generate(String fqrn, Clock clock) {
        KeyPair pair = RsaKeyPairs.generate();
        return new RepositoryKeys(fqrn, pair.getPrivate(), RepositoryCertificate.createSelfSigned(fqrn, pair, clock));
    }
}
