package org.cvmfs.suite.protocol.conveyor;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Our extension: one job as the listing route ({@code GET /api/v1/jobs}) reports it, from
 * submission on. Field names follow upstream's PascalCase style; {@code State} is a
 * {@link JobState#wireName()}; times are omitted until they happened.
 */
@JsonPropertyOrder({"ID", "JobName", "Repository", "Payload", "LeasePath", "Dependencies", "State", "Attempts",
        "WorkerName", "SubmitTime", "StartTime", "FinishTime", "ErrorMessage", "Log"})
@JsonInclude(JsonInclude.Include.NON_NULL)
public record JobRecord(
        @JsonProperty("ID") String id,
        @JsonProperty("JobName") String jobName,
        @JsonProperty("Repository") String repository,
        @JsonProperty("Payload") String payload,
        @JsonProperty("LeasePath") String leasePath,
        @JsonProperty("Dependencies") @JsonInclude(JsonInclude.Include.ALWAYS) List<String> dependencies,
        @JsonProperty("State") String state,
        @JsonProperty("Attempts") int attempts,
        @JsonProperty("WorkerName") String workerName,
        @JsonProperty("SubmitTime") OffsetDateTime submitTime,
        @JsonProperty("StartTime") OffsetDateTime startTime,
        @JsonProperty("FinishTime") OffsetDateTime finishTime,
        @JsonProperty("ErrorMessage") String errorMessage,
        @JsonProperty("Log") String log) {

    public JobState jobState() {
        return JobState.fromWire(state);
    }
}
