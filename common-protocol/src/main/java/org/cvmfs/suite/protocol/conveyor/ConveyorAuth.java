package org.cvmfs.suite.protocol.conveyor;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Conveyor's request signature (spec 4.2): {@code Authorization: base64(HMAC-SHA256(shared_key,
 * message))}, standard alphabet with padding, no scheme word and no key id. The message is the
 * raw body for POST and the raw query string (still percent-encoded, "" if none) otherwise.
 * Not the gateway's scheme ({@code GatewayAuth}: key id + hex HMAC-SHA1), hence a class of its own.
 */
public final class ConveyorAuth {
    public static final String HEADER = "Authorization";
    private static final String ALGORITHM = "HmacSHA256";

    /** Outcome of checking a presented header; the HTTP status and body upstream answers with. */
    public enum Verdict {
        VALID(200, ""),
        NOT_BASE64(400, "Could not base64 decode HMAC\n"),
        MISMATCH(403, "Invalid request\n");

        public final int status;
        public final String body;

        Verdict(int status, String body) {
            this.status = status;
            this.body = body;
        }
    }

    private ConveyorAuth() {
    }

    public static String sign(String sharedKey, byte[] message) {
        return Base64.getEncoder().encodeToString(hmac(sharedKey, message));
    }

    public static String sign(String sharedKey, String message) {
        return sign(sharedKey, message.getBytes(StandardCharsets.UTF_8));
    }

    /** Checks {@code header} against {@code message} in constant time. */
    public static Verdict verify(String sharedKey, String header, byte[] message) {
        byte[] presented;
        try {
            presented = Base64.getDecoder().decode(header == null ? "" : header.trim());
        } catch (IllegalArgumentException notBase64) {
            return Verdict.NOT_BASE64;
        }
        return MessageDigest.isEqual(hmac(sharedKey, message), presented) ? Verdict.VALID : Verdict.MISMATCH;
    }

    private static byte[] hmac(String sharedKey, byte[] message) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(sharedKey.getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac.doFinal(message);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA256 unavailable", e);
        }
    }
}
