package org.cvmfs.suite.protocol.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Body of {@code POST /api/v1/leases}. The HMAC covers the body bytes as sent, so a client must
 * send exactly {@link #toWireBytes()}; the server keeps the raw bytes for the MAC and decodes
 * them with {@link #parse(byte[])}.
 *
 * @param path       lease path in wire form ({@code repo/sub/path})
 * @param apiVersion client protocol version, a decimal string on the wire ({@code "2"})
 * @param hostname   publisher host name; may be null (clients before 2.11 omit it)
 * @param timestamp  ours, beyond upstream: when the request was made (epoch seconds), signed with
 *                   the body; null from upstream clients
 * @param nonce      ours: a value never sent twice by this client (hex), signed with the body;
 *                   with {@code timestamp} it makes a recorded request unusable a second time
 */
public record LeaseRequest(
        @JsonProperty("path") String path,
        @JsonProperty("api_version") String apiVersion,
        @JsonProperty("hostname") String hostname,
        @JsonProperty("timestamp") Long timestamp,
        @JsonProperty("nonce") String nonce) {

    /** The protocol version the C++ publisher speaks. */
    public static final String CLIENT_API_VERSION = "2";
    private static final SecureRandom RANDOM = new SecureRandom();

    public LeaseRequest(String path, String apiVersion, String hostname) {
        this(path, apiVersion, hostname, null, null);
    }

    public static LeaseRequest of(LeasePath path, String hostname) {
        return new LeaseRequest(path.toWire(), CLIENT_API_VERSION, hostname);
    }

    /** A request carrying a time stamp and a fresh random nonce (replay protection, ours). */
    public static LeaseRequest replayProtected(LeasePath path, String hostname, Instant now) {
        byte[] random = new byte[16];
        RANDOM.nextBytes(random);
        return new LeaseRequest(path.toWire(), CLIENT_API_VERSION, hostname, now.getEpochSecond(),
                HexFormat.of().formatHex(random));
    }

    /** True if the client sent both replay-protection fields. */
    public boolean isReplayProtected() {
        return timestamp != null && nonce != null;
    }

    /** Decodes a request body; unknown fields are ignored as upstream does. */
    public static LeaseRequest parse(byte[] body) {
        return GatewayJson.read(body, LeaseRequest.class);
    }

    /** The client's API version; refused unless a decimal integer. */
    public int apiVersionNumber() {
        return decimal("api_version", apiVersion);
    }

    /** The body as the C++ client spaces it: {@code {"path" : "...", "api_version" : "2", ...}}. */
    public String toWire() {
        StringBuilder b = new StringBuilder("{\"path\" : ").append(GatewayJson.quote(path))
                .append(", \"api_version\" : ").append(GatewayJson.quote(apiVersion));
        if (hostname != null) {
            b.append(", \"hostname\" : ").append(GatewayJson.quote(hostname));
        }
        if (timestamp != null) {
            b.append(", \"timestamp\" : ").append(timestamp);
        }
        if (nonce != null) {
            b.append(", \"nonce\" : ").append(GatewayJson.quote(nonce));
        }
        return b.append('}').toString();
    }

    public byte[] toWireBytes() {
        return toWire().getBytes(StandardCharsets.UTF_8);
    }

    static int decimal(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > 9) {
            throw new MalformedMessageException(field + " must be a decimal integer, got " + describe(value));
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                throw new MalformedMessageException(field + " must be a decimal integer, got " + describe(value));
            }
        }
        return Integer.parseInt(value);
    }

    private static String describe(String value) {
        return value == null ? "nothing" : "'" + (value.length() > 40 ? value.substring(0, 40) + "..." : value) + "'";
    }
}
