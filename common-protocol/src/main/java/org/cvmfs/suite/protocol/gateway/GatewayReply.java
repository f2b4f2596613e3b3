package org.cvmfs.suite.protocol.gateway;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.nio.charset.StandardCharsets;

/**
 * The gateway's status replies. Upstream builds them from maps, so keys come out sorted and
 * absent fields are left out: {@code {"reason":"invalid lease","status":"error"}},
 * {@code {"max_api_version":2,"session_token":"...","status":"ok"}}. Clients decide on
 * {@code status} only; {@code time_remaining} is a Go duration string.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record GatewayReply(
        @JsonProperty("final_revision") Long finalRevision,
        @JsonProperty("max_api_version") Integer maxApiVersion,
        @JsonProperty("output") String output,
        @JsonProperty("reason") String reason,
        @JsonProperty("session_token") String sessionToken,
        @JsonProperty("status") String status,
        @JsonProperty("time_remaining") String timeRemaining) {

    public static final String OK = "ok";
    public static final String ERROR = "error";
    public static final String PATH_BUSY = "path_busy";

    public static GatewayReply ok() {
        return new GatewayReply(null, null, null, null, null, OK, null);
    }

    public static GatewayReply error(String reason) {
        return new GatewayReply(null, null, null, reason, null, ERROR, null);
    }

    public static GatewayReply leaseGranted(String sessionToken, int maxApiVersion) {
        return new GatewayReply(null, maxApiVersion, null, null, sessionToken, OK, null);
    }

    public static GatewayReply pathBusy(String timeRemaining) {
        return new GatewayReply(null, null, null, null, null, PATH_BUSY, timeRemaining);
    }

    public static GatewayReply committed(long finalRevision) {
        return new GatewayReply(finalRevision, null, null, null, null, OK, null);
    }

    public static GatewayReply gcOutput(String output) {
        return new GatewayReply(null, null, output, null, null, OK, null);
    }

    public static GatewayReply parse(byte[] body) {
        GatewayReply reply = GatewayJson.read(body, GatewayReply.class);
        if (reply.status == null) {
            throw new MalformedMessageException("gateway reply without status: "
                    + new String(body, 0, Math.min(body.length, 200), StandardCharsets.UTF_8));
        }
        return reply;
    }

    @JsonIgnore
    public boolean isOk() {
        return OK.equals(status);
    }

    @JsonIgnore
    public boolean isPathBusy() {
        return PATH_BUSY.equals(status);
    }

    public byte[] toWireBytes() {
        return GatewayJson.write(this);
    }

    public String toWire() {
        return new String(toWireBytes(), StandardCharsets.UTF_8);
    }
}
