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
import java.security.GeneralSecurityException;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.pkcs.RSAPrivateKey;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.util.io.pem.PemHeader;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * PEM text of keys and certificates in the flavours upstream's OpenSSL readers take. Written with
 * LF line ends and 64-character lines, as {@code openssl} writes them.
 */
final class Pem {
    static final String CERTIFICATE = "CERTIFICATE";
    static final String RSA_PRIVATE_KEY = "RSA PRIVATE KEY";
    static final String PUBLIC_KEY = "PUBLIC KEY";
    static final String PRIVATE_KEY = "PRIVATE KEY";

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

    /** Reads a PKCS#1 ({@code RSA PRIVATE KEY}) or PKCS#8 ({@code PRIVATE KEY}) unencrypted RSA key. */
    static PrivateKey decodePrivateKey(byte[] text, String what) {
        PemObject pem = readFirst(text, what);
        if (pem.getHeaders().stream().anyMatch(h -> ((PemHeader) h).getValue().contains("ENCRYPTED"))) {
            throw new ManifestException(what + " is an encrypted private key, which is not supported");
        }
        try {
            byte[] pkcs8 = switch (pem.getType()) {
                case RSA_PRIVATE_KEY -> new PrivateKeyInfo(
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption, DERNull.INSTANCE),
                        RSAPrivateKey.getInstance(pem.getContent())).getEncoded();
                case PRIVATE_KEY -> pem.getContent();
                default -> throw new ManifestException(what + " is not an unencrypted RSA private key (found '"
                        + pem.getType() + "')");
            };
            return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(pkcs8));
        } catch (IOException | IllegalArgumentException | GeneralSecurityException e) {
            throw new ManifestException(what + " is not an RSA private key: " + e.getMessage(), e);
        }
    }

    /** Reads a SubjectPublicKeyInfo RSA key; PKCS#1 {@code RSA PUBLIC KEY} is refused, as upstream does. */
    static PublicKey decodePublicKey(byte[] text, String what) {
        PemObject pem = readFirst(text, what);
        if (!PUBLIC_KEY.equals(pem.getType())) {
            throw new ManifestException(what + " is not a PEM 'PUBLIC KEY' (found '" + pem.getType() + "')");
        }
        try {
            return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(pem.getContent()));
        } catch (GeneralSecurityException e) {
            throw new ManifestException(what + " is not an RSA public key: " + e.getMessage(), e);
        }
    }

    private static PemObject readFirst(byte[] text, String what) {
        try (PemReader reader = new PemReader(new StringReader(new String(text, StandardCharsets.US_ASCII)))) {
            PemObject pem = reader.readPemObject();
            if (pem == null) {
                throw new ManifestException(what + " contains no PEM block");
            }
            return pem;
        } catch (IOException | IllegalArgumentException | IllegalStateException e) {
            throw new ManifestException(what + " is not valid PEM: " + e.getMessage(), e);
        }
    }
}
