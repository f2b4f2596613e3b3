package org.cvmfs.suite.protocol.manifest;

import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;

/**
 * PEM text of keys and certificates in the flavours upstream's OpenSSL readers take. Written with
 * LF line ends and 64-character lines, as {@code openssl} writes them.
 */
final class Pem {
    static final String CERTIFICATE = "CERTIFICATE";
    static final String RSA_PRIVATE_KEY = "RSA PRIVATE KEY";
    static final String PUBLIC_KEY = "PUBLIC KEY";

    private Pem() {
    }

    static byte[] encode(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(der);
        return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** PKCS#1 ({@code RSA PRIVATE KEY}), the form {@code openssl genrsa} wrote before OpenSSL 3. */
    static byte[] encodeRsaPrivateKey(PrivateKey key) {
        try {
            byte[] pkcs1 = PrivateKeyInfo.getInstance(key.getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
            return encode(RSA_PRIVATE_KEY, pkcs1);
        } catch (IOException e) {
            throw new ManifestException("cannot encode the " + key.getAlgorithm() + " private key as PKCS#1", e);
        }
    }

    /** SubjectPublicKeyInfo ({@code PUBLIC KEY}), the only form upstream reads for the master key. */
    static byte[] encodePublicKey(PublicKey key) {
        return encode(PUBLIC_KEY, key.getEncoded());
    }

    /** Reads a PKCS#1 ({@code RSA PRIVATE KEY}) or PKCS#8 ({@code PRIVATE KEY}) RSA key. */
    static PrivateKey decodePrivateKey(byte[] text, String what) {
        Object o = parseSingle(text, what);
        PrivateKeyInfo info;
        if (o instanceof PEMKeyPair pair) {
            info = pair.getPrivateKeyInfo();
        } else if (o instanceof PrivateKeyInfo pkcs8) {
            info = pkcs8;
        } else {
            throw new ManifestException(what + " is not an unencrypted RSA private key (found " + describe(o) + ")");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(info.getEncoded()));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new ManifestException(what + " is not an RSA private key: " + e.getMessage(), e);
        }
    }

    /** Reads a SubjectPublicKeyInfo RSA key; PKCS#1 {@code RSA PUBLIC KEY} is refused, as upstream does. */
    static PublicKey decodePublicKey(byte[] text, String what) {
        Object o = parseSingle(text, what);
        if (!(o instanceof SubjectPublicKeyInfo spki)) {
            throw new ManifestException(what + " is not a PEM 'PUBLIC KEY' (found " + describe(o) + ")");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(spki.getEncoded()));
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new ManifestException(what + " is not an RSA public key: " + e.getMessage(), e);
        }
    }

    private static Object parseSingle(byte[] text, String what) {
        try (PEMParser parser = new PEMParser(new StringReader(new String(text, StandardCharsets.US_ASCII)))) {
            Object o = parser.readObject();
            if (o == null) {
                throw new ManifestException(what + " contains no PEM block");
            }
            return o;
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new ManifestException(what + " is not valid PEM: " + e.getMessage(), e);
        }
    }

    private static String describe(Object o) {
        return o.getClass().getSimpleName();
    }
}
