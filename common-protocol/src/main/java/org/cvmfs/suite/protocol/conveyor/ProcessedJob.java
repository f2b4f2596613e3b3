package org.cvmfs.suite.protocol.conveyor;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * A job's result: the body of {@code POST /jobs/complete} and a record of the full status reply.
 * Upstream fields first, in upstream's order. Extensions (ours, omitted when null, ignored by
 * upstream): {@code Attempt} (the attempt this result is for), {@code Retryable} (the worker says
 * the failure is transient, e.g. the lease was busy or the payload download failed; never for a
 * script that exited non-zero) and {@code Log} (the payload script's output, bounded by the worker).
 */
@JsonPropertyOrder({"ID", "JobName", "Repository", "Payload", "LeasePath", "Dependencies", "WorkerName",
        "StartTime", "FinishTime", "Successful", "ErrorMessage", "Attempt", "Retryable", "Log"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record ProcessedJob(
        @JsonProperty("ID") String id,
        @JsonProperty("JobName") String jobName,
        @JsonProperty("Repository") String repository,
        @JsonProperty("Payload") String payload,
        @JsonProperty("LeasePath") String leasePath,
        @JsonProperty("Dependencies") List<String> dependencies,
        @JsonProperty("WorkerName") String workerName,
        @JsonProperty("StartTime") OffsetDateTime startTime,
        @JsonProperty("FinishTime") OffsetDateTime finishTime,
        @JsonProperty("Successful") boolean successful,
        @JsonProperty("ErrorMessage") String errorMessage,
        @JsonProperty("Attempt") @JsonInclude(JsonInclude.Include.NON_NULL) Integer attempt,
        @JsonProperty("Retryable") @JsonInclude(JsonInclude.Include.NON_NULL) Boolean retryable,
        @JsonProperty("Log") @JsonInclude(JsonInclude.Include.NON_NULL) String log) {

    public ProcessedJob {
        id = id == null ? ConveyorJson.ZERO_UUID : ConveyorJson.canonicalUuid(id);
        jobName = jobName == null ? "" : jobName;
        repository = repository == null ? "" : repository;
        payload = payload == null ? "" : payload;
        leasePath = leasePath == null ? "" : leasePath;
        dependencies = dependencies == null ? null : List.copyOf(dependencies);
        workerName = workerName == null ? "" : workerName;
        startTime = startTime == null ? ConveyorJson.ZERO_TIME : startTime;
        finishTime = finishTime == null ? ConveyorJson.ZERO_TIME : finishTime;
        errorMessage = errorMessage == null ? "" : errorMessage;
    }

    /** The result of {@code job} without extensions (what an upstream worker posts). */
    public static ProcessedJob of(UnprocessedJob job, String workerName, OffsetDateTime start, OffsetDateTime finish,
                                  boolean successful, String errorMessage) {
        return new ProcessedJob(job.id(), job.jobName(), job.repository(), job.payload(), job.leasePath(),
                job.dependencies(), workerName, start, finish, successful, errorMessage, null, null, null);
    }

    public ProcessedJob withExtensions(Integer attempt, Boolean retryable, String log) {
        return new ProcessedJob(id, jobName, repository, payload, leasePath, dependencies, workerName, startTime,
                finishTime, successful, errorMessage, attempt, retryable, log);
    }

    @JsonIgnore
    public JobStatus status() {
        return new JobStatus(id, successful);
    }

    @JsonIgnore
    public boolean isRetryable() {
        return retryable != null && retryable;
    }
}
