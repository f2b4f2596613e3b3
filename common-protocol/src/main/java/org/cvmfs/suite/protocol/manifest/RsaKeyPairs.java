package org.cvmfs.suite.protocol.manifest;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.RSAKeyGenParameterSpec;
import java.security.spec.RSAPublicKeySpec;

/** RSA key pairs as {@code openssl genrsa 2048} makes them: 2048-bit modulus, exponent 65537. */
public final class RsaKeyPairs {
    public static final int BITS = 2048;

    private RsaKeyPairs() {
    }

    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(new RSAKeyGenParameterSpec(BITS, RSAKeyGenParameterSpec.F4));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("RSA key generation unavailable", e);
        }
    }

    /** The public half of a private key file, which holds both (PKCS#1 and PKCS#8 keys carry the CRT fields). */
    public static KeyPair fromPrivate(PrivateKey key, String what) {
        if (!(key instanceof RSAPrivateCrtKey crt)) {
            throw new ManifestException(what + " is not an RSA private key with CRT parameters");
        }
        try {
            PublicKey pub = KeyFactory.getInstance("RSA")
                    .generatePublic(new RSAPublicKeySpec(crt.getModulus(), crt.getPublicExponent()));
            return new KeyPair(pub, key);
        } catch (GeneralSecurityException e) {
            throw new ManifestException("cannot derive the public key of " + what + ": " + e.getMessage(), e);
        }
    }

    /** True if both keys share the modulus, i.e. belong to one key pair. */
    public static boolean samePair(PublicKey publicKey, PrivateKey privateKey) {
        if (!(publicKey instanceof RSAPublicKey pub) || !(privateKey instanceof RSAPrivateCrtKey priv)) {
            return false;
        }
        BigInteger n = pub.getModulus();
        return n.equals(priv.getModulus()) && pub.getPublicExponent().equals(priv.getPublicExponent());
    }
}
