package org.cvmfs.suite.protocol.gateway;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The gateway's {@code Authorization} scheme, for both sides:
 * {@code <key id> <base64(lowercase hex(HMAC-SHA1(secret, input)))>}. What the input is depends
 * on the request (whole body, the lease token, the first {@code Message-Size} body bytes or
 * the URL path); callers pass exactly those bytes.
 */
public final class GatewayAuth {
    public static final String HEADER = "Authorization";
    private static final String ALGORITHM = "HmacSHA1";

    private GatewayAuth() {
    }

    /** The header value a client sends. */
    public static String sign(GatewayKey key, byte[] input) {
        String hex = hexHmac(key.secret(), input);
        return key.id() + " " + Base64.getEncoder().encodeToString(hex.getBytes(StandardCharsets.US_ASCII));
    }

    public static String sign(GatewayKey key, String input) {
        return sign(key, input.getBytes(StandardCharsets.UTF_8));
    }

    /** 40 lowercase hex characters of HMAC-SHA1 keyed with the secret's bytes. */
    public static String hexHmac(String secret, byte[] input) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return HexFormat.of().formatHex(mac.doFinal(input));
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA1 unavailable", e);
        }
    }

    /**
     * Splits a header value into key id and presented MAC. Empty when the value is not exactly
     * two tokens separated by one space, or the second is not standard base64.
     */
    public static Optional<Credentials> parse(String headerValue) {
        if (headerValue == null) {
            return Optional.empty();
        }
        int space = headerValue.indexOf(' ');
        if (space <= 0 || headerValue.indexOf(' ', space + 1) >= 0 || space == headerValue.length() - 1) {
            return Optional.empty();
        }
        try {
            byte[] mac = Base64.getDecoder().decode(headerValue.substring(space + 1));
            return Optional.of(new Credentials(headerValue.substring(0, space), mac));
        } catch (IllegalArgumentException notBase64) {
            return Optional.empty();
        }
    }

    /** True if the presented MAC is the lowercase hex HMAC of {@code input}; constant time. */
    public static boolean verify(Credentials credentials, GatewayKey key, byte[] input) {
        byte[] expected = hexHmac(key.secret(), input).getBytes(StandardCharsets.US_ASCII);
        return MessageDigest.isEqual(expected, credentials.presentedMac());
    }

    /** What a request claims: a key id and the decoded MAC bytes (hex text when genuine). */
    public record Credentials(String keyId, byte[] presentedMac) {
        public Credentials {
            presentedMac = presentedMac.clone();
        }

        @Override
        public byte[] presentedMac() {
            return presentedMac.clone();
        }
    }
}
