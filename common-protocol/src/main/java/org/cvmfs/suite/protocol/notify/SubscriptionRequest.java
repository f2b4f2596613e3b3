package org.cvmfs.suite.protocol.notify;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * What a subscriber sends to name its repository: the body of the SSE {@code GET}, or one binary
 * frame on the legacy WebSocket.
 */
public record SubscriptionRequest(int version, String repository) {
    public SubscriptionRequest {
        Objects.requireNonNull(repository, "repository");
        if (repository.isEmpty()) {
            throw new IllegalArgumentException("subscription repository is empty");
        }
    }

    public static SubscriptionRequest of(String repository) {
        return new SubscriptionRequest(ActivityMessage.PROTOCOL_VERSION, repository);
    }

    /** The compact form C++ clients send: {@code {"version":1,"repository":"<fqrn>"}}. */
    public byte[] toJson() {
        return ("{\"version\":" + version + ",\"repository\":\"" + escape(repository) + "\"}")
                .getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Parses a request. {@code repository} must be a non-empty string; {@code version} is
     * optional and taken when it is an integer, as both upstream servers ignore its value.
     */
    public static SubscriptionRequest parse(byte[] json) {
        JsonFields f = JsonFields.read(json, "subscription request");
        String repository = f.requireString("repository");
        if (repository.isEmpty()) {
            throw new NotifyMessageException("subscription request field 'repository' is empty");
        }
        return new SubscriptionRequest(f.intOr("version", ActivityMessage.PROTOCOL_VERSION), repository);
    }

    private static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }
}
