package org.cvmfs.suite.protocol.manifest;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;

/**
 * The repository certificate: an X.509 envelope around the public key that verifies manifest
 * signatures. Clients check neither its dates nor its issuer; what binds it to the repository is
 * its fingerprint in the whitelist. The PEM text is kept verbatim because the certificate object
 * in {@code data/} is the compressed PEM file, and re-encoding would change its name.
 */
public final class RepositoryCertificate {
    /** Upstream mkfs makes certificates valid for 365 days. */
    public static final Duration VALIDITY = Duration.ofDays(365);
    private static final int CN_NAME_LIMIT = 30;
    private static final String PEM_HEADER = "-----BEGIN CERTIFICATE-----";

    private final X509Certificate certificate;
    private final byte[] pem;

    private RepositoryCertificate(X509Certificate certificate, byte[] pem) {
        this.certificate = certificate;
        this.pem = pem;
    }

    /** Parses PEM text (a {@code .crt} file or an inflated {@code X} object); DER is refused, as upstream does. */
    public static RepositoryCertificate parsePem(byte[] pem) {
        String text = new String(pem, StandardCharsets.US_ASCII);
        if (!text.contains(PEM_HEADER)) {
            throw new ManifestException("certificate is not PEM (no '" + PEM_HEADER + "' line)");
        }
        try {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            X509Certificate cert = (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(pem));
            return new RepositoryCertificate(cert, pem.clone());
        } catch (CertificateException | ClassCastException e) {
            throw new ManifestException("certificate PEM does not hold an X.509 certificate: " + e.getMessage(), e);
        }
    }

    public static RepositoryCertificate of(X509Certificate certificate) {
        try {
            return new RepositoryCertificate(certificate, Pem.encode(Pem.CERTIFICATE, certificate.getEncoded()));
        } catch (java.security.cert.CertificateEncodingException e) {
            throw new ManifestException("cannot encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }

    /**
     * A self-signed certificate for {@code keys}, subject and issuer
     * {@code CN=<fqrn> CernVM-FS Release Managers}, valid for 365 days from now.
     */
    public static RepositoryCertificate createSelfSigned(String fqrn, KeyPair keys, Clock clock) {
        Instant notBefore = clock.instant().truncatedTo(ChronoUnit.SECONDS);
        X500Name name = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.CN, commonName(fqrn)).build();
        BigInteger serial = new BigInteger(63, new SecureRandom()).add(BigInteger.ONE);
        try {
            var builder = new JcaX509v3CertificateBuilder(name, serial, Date.from(notBefore),
                    Date.from(notBefore.plus(VALIDITY)), name, keys.getPublic());
            var signer = new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate());
            return of(new JcaX509CertificateConverter().getCertificate(builder.build(signer)));
        } catch (OperatorCreationException | CertificateException e) {
            throw new ManifestException("cannot create the certificate for " + fqrn + ": " + e.getMessage(), e);
        }
    }

    /** The common name upstream's shell mkfs gives: the fqrn cut to 30 characters plus {@code [...]}. */
    public static String commonName(String fqrn) {
        String name = fqrn.length() > CN_NAME_LIMIT ? fqrn.substring(0, CN_NAME_LIMIT) + "[...]" : fqrn;
        return name + " CernVM-FS Release Managers";
    }

    public X509Certificate x509() {
        return certificate;
    }

    public byte[] pem() {
        return pem.clone();
    }

    public PublicKey publicKey() {
        return certificate.getPublicKey();
    }

    /** The subject in RFC 2253 form, e.g. {@code CN=test.local CernVM-FS Release Managers}; for messages. */
    public String subject() {
        return certificate.getSubjectX500Principal().getName();
    }

    public CertificateFingerprint fingerprint(HashAlgorithm algorithm) {
        return CertificateFingerprint.of(certificate, algorithm);
    }

    @Override
    public String toString() {
        return subject() + " (" + fingerprint(HashAlgorithm.SHA1) + ")";
    }
}
