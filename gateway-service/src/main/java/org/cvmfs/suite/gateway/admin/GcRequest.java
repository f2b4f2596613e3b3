package org.cvmfs.suite.gateway.admin;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.cvmfs.suite.protocol.gateway.GatewayJson;
import org.cvmfs.suite.protocol.gateway.MalformedMessageException;

/**
 * Body of {@code POST /api/v1/gc}; every field optional.
 *
 * @param timestamp RFC 3339, if given
 */
public record GcRequest(
        @JsonProperty("repo") String repo,
        @JsonProperty("num_revisions") int numRevisions,
        @JsonProperty("timestamp") String timestamp,
        @JsonProperty("dry_run") boolean dryRun,
        @JsonProperty("verbose") boolean verbose) {

    public static GcRequest parse(byte[] body) {
        GcRequest r = GatewayJson.read(body, GcRequest.class);
        r.time();
        return r;
    }

    public Optional<OffsetDateTime> time() {
        if (timestamp == null || timestamp.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(OffsetDateTime.parse(timestamp));
        } catch (DateTimeParseException e) {
            throw new MalformedMessageException("timestamp '" + timestamp + "' is not RFC 3339");
        }
    }
}
