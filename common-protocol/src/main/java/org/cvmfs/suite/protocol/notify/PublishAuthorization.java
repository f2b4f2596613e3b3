package org.cvmfs.suite.protocol.notify;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.function.Function;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The optional authentication of a publish, in the gateway's HMAC form:
 * {@code Authorization: <key id> <Base64 of the lowercase hex HMAC-SHA1 of the request body>},
 * keyed with the secret of a gateway key file ({@code plain_text <id> <secret>}).
 * Upstream publishers send no such header; servers require it only when configured to.
 */
public final class PublishAuthorization {
    private PublishAuthorization() {
    }

    /** The header value signing {@code body} with {@code secret}. */
    public static String header(String keyId, String secret, byte[] body) {
        if (keyId.isEmpty() || keyId.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("gateway key id must be one non-empty word, got '" + keyId + "'");
        }
        String hex = HexFormat.of().formatHex(hmacSha1(secret, body));
        return keyId + " " + Base64.getEncoder().encodeToString(hex.getBytes(StandardCharsets.US_ASCII));
    }

    /**
     * Checks a header value against {@code body}. Returns the key id that signed it, or an
     * explanation of why it does not authenticate the body (malformed, unknown key, wrong MAC).
     */
    public static Result verify(String header, byte[] body, Function<String, Optional<String>> secretOfKey) {
        if (header == null || header.isEmpty()) {
            return Result.refused("no Authorization header");
        }
        String[] parts = header.split(" ", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
            return Result.refused("Authorization header is not '<key id> <signature>'");
        }
        byte[] claimed;
        try {
            claimed = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            return Result.refused("Authorization signature is not Base64");
        }
        Optional<String> secret = secretOfKey.apply(parts[0]);
        if (secret.isEmpty()) {
            return Result.refused("unknown key id '" + JsonFields.abbreviate(parts[0]) + "'");
        }
        byte[] expected = HexFormat.of().formatHex(hmacSha1(secret.get(), body)).getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, claimed)) {
            return Result.refused("HMAC of key '" + parts[0] + "' does not match the body");
        }
        return new Result(Optional.of(parts[0]), "");
    }

    /** The outcome of {@link #verify}: the key id when it authenticates, else the reason. */
    public record Result(Optional<String> keyId, String reason) {
        static Result refused(String reason) {
            return new Result(Optional.empty(), reason);
        }

        public boolean authenticated() {
            return keyId.isPresent();
        }
    }

    private static byte[] hmacSha1(String secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA1"));
            return mac.doFinal(body);
        } catch (NoSuchAlgorithmException | InvalidKeyException e) {
            throw new IllegalStateException("HMAC-SHA1 unavailable", e);
        }
    }
}
