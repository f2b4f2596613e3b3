package org.cvmfs.suite.protocol.conveyor;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Our extension: the reply of {@code GET /api/v1/jobs}. {@code Jobs} is one page in submission
 * order; {@code Total} counts every match; {@code Unknown} lists requested ids the server never
 * saw (always present, so that a caller can tell unknown from pending).
 */
@JsonPropertyOrder({"Status", "Reason", "Total", "Offset", "Limit", "Jobs", "Unknown"})
public record JobListReply(
        @JsonProperty("Status") String status,
        @JsonProperty("Reason") @JsonInclude(JsonInclude.Include.NON_EMPTY) String reason,
        @JsonProperty("Total") long total,
        @JsonProperty("Offset") int offset,
        @JsonProperty("Limit") int limit,
        @JsonProperty("Jobs") List<JobRecord> jobs,
        @JsonProperty("Unknown") List<String> unknown) {

    public JobListReply {
        jobs = jobs == null ? List.of() : List.copyOf(jobs);
        unknown = unknown == null ? List.of() : List.copyOf(unknown);
    }

    public static JobListReply error(String reason) {
        return new JobListReply(Replies.ERROR, reason, 0, 0, 0, List.of(), List.of());
    }

    @JsonIgnore
    public boolean isOk() {
        return Replies.OK.equals(status);
    }
}
