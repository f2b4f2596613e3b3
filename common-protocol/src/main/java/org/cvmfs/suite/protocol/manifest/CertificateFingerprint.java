package org.cvmfs.suite.protocol.manifest;

import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;

/**
 * A whitelist line: the digest of a certificate's DER encoding, written as uppercase hex pairs
 * separated by colons plus the uppercase algorithm identifier ({@code AB:CD:...:EF-SHAKE128}).
 */
public record CertificateFingerprint(ContentHash digest) {
    public CertificateFingerprint {
        Objects.requireNonNull(digest, "digest");
        digest = digest.withSuffix(ObjectSuffix.NONE);
    }

    public static CertificateFingerprint of(X509Certificate certificate, HashAlgorithm algorithm) {
        return new CertificateFingerprint(ContentHash.compute(algorithm, der(certificate), ObjectSuffix.NONE));
    }

    /**
     * Parses a whitelist line. Like upstream, the line ends at the first space, tab or {@code #};
     * colons are dropped and case is ignored.
     */
    public static CertificateFingerprint parse(String line) {
        String text = significantPart(line);
        try {
            return new CertificateFingerprint(
                    ContentHash.parse(text.replace(":", "").toLowerCase(Locale.ROOT), ObjectSuffix.NONE));
        } catch (IllegalArgumentException e) {
            throw new ManifestException("whitelist line is not a certificate fingerprint: '"
                    + SignedText.abbreviate(line) + "'");
        }
    }

    /** The part of a whitelist line before any comment; empty for blank and comment-only lines. */
    static String significantPart(String line) {
        int end = line.length();
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '#') {
                end = i;
                break;
            }
        }
        return line.substring(0, end);
    }

    public boolean matches(X509Certificate certificate) {
        return digest.matches(der(certificate));
    }

    public String toText() {
        String hex = HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest.digest());
        return hex + digest.algorithm().identifier().toUpperCase(Locale.ROOT);
    }

    @Override
    public String toString() {
        return toText();
    }

    private static byte[] der(X509Certificate certificate) {
        try {
            return certificate.getEncoded();
        } catch (CertificateEncodingException e) {
            throw new ManifestException("cannot DER-encode certificate " + certificate.getSubjectX500Principal(), e);
        }
    }
}
