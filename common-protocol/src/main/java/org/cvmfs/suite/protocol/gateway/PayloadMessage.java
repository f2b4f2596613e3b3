package org.cvmfs.suite.protocol.gateway;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.nio.charset.StandardCharsets;

/**
 * The JSON message at the start of a payload body ({@code Message-Size} bytes), followed by the
 * object pack header ({@code header_size} bytes) and the pack payload. All values are strings
 * on the wire. In the legacy form the HMAC covers exactly this message.
 *
 * @param sessionToken  lease token (ignored by the token-in-URL form)
 * @param payloadDigest lowercase hex SHA-1 of the pack header bytes
 * @param headerSize    decimal length of the pack header
 * @param apiVersion    {@code "2"} from the C++ client
 */
public record PayloadMessage(
        @JsonProperty("session_token") String sessionToken,
        @JsonProperty("payload_digest") String payloadDigest,
        @JsonProperty("header_size") String headerSize,
        @JsonProperty("api_version") String apiVersion) {

    public static PayloadMessage of(String sessionToken, String payloadDigest, int headerSize) {
        return new PayloadMessage(sessionToken, payloadDigest, Integer.toString(headerSize),
                LeaseRequest.CLIENT_API_VERSION);
    }

    public static PayloadMessage parse(byte[] message) {
        return GatewayJson.read(message, PayloadMessage.class);
    }

    /** The pack header length; refused unless a decimal integer. */
    public int headerSizeValue() {
        return LeaseRequest.decimal("header_size", headerSize);
    }

    /** The message as the C++ client spaces it. */
    public String toWire() {
        return "{\"session_token\" : " + GatewayJson.quote(sessionToken)
                + ", \"payload_digest\" : " + GatewayJson.quote(payloadDigest)
                + ", \"header_size\" : " + GatewayJson.quote(headerSize)
                + ", \"api_version\" : " + GatewayJson.quote(apiVersion) + "}";
    }

    public byte[] toWireBytes() {
        return toWire().getBytes(StandardCharsets.UTF_8);
    }
}
