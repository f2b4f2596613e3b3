package org.cvmfs.suite.notify.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/** Upstream's status objects: {@code {"status":"ok"}} and {@code {"status":"error","reason":"..."}}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusReply(String status, String reason) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public static StatusReply ok() {
        return new StatusReply("ok", null);
    }

    public static StatusReply error(String reason) {
        return new StatusReply("error", reason);
    }

    /** For the routes that write their own bytes (SSE and WebSocket). */
    public String toJson() {
        try {
            return JSON.writeValueAsString(this);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a status reply always serializes", e);
        }
    }
}
