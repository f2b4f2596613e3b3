package org.cvmfs.suite.protocol.conveyor;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The new-job message on {@code jobs.new}: the job id, then the specification's fields.
 * Extension (ours; upstream workers ignore unknown fields): {@code Attempt}, 1 for the first
 * delivery and one more for each server-side retry; omitted when unknown (upstream sender).
 */
@JsonPropertyOrder({"ID", "JobName", "Repository", "Payload", "LeasePath", "Dependencies", "Attempt"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record UnprocessedJob(
        @JsonProperty("ID") String id,
        @JsonProperty("JobName") String jobName,
        @JsonProperty("Repository") String repository,
        @JsonProperty("Payload") String payload,
        @JsonProperty("LeasePath") String leasePath,
        @JsonProperty("Dependencies") List<String> dependencies,
        @JsonProperty("Attempt") @JsonInclude(JsonInclude.Include.NON_NULL) Integer attempt) {

    public UnprocessedJob {
        id = id == null ? ConveyorJson.ZERO_UUID : ConveyorJson.canonicalUuid(id);
        jobName = jobName == null ? "" : jobName;
        repository = repository == null ? "" : repository;
        payload = payload == null ? "" : payload;
        leasePath = leasePath == null ? "" : leasePath;
        dependencies = dependencies == null ? null : List.copyOf(dependencies);
    }

    public static UnprocessedJob of(String id, JobSpecification spec, Integer attempt) {
        return new UnprocessedJob(id, spec.jobName(), spec.repository(), spec.payload(), spec.leasePath(),
                spec.dependencies(), attempt);
    }

    @JsonIgnore
    public JobSpecification specification() {
        return new JobSpecification(jobName, repository, payload, leasePath, dependencies);
    }

    @JsonIgnore
    public List<String> dependencyIds() {
        return dependencies == null ? List.of() : dependencies;
    }

    /** The attempt number, 1 when the sender did not say. */
    @JsonIgnore
    public int attemptNumber() {
        return attempt == null || attempt < 1 ? 1 : attempt;
    }
}
