package org.cvmfs.suite.protocol.conveyor;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The body of {@code POST /jobs/new}: what a client asks to be published. Missing strings
 * decode as "" (Go zero values); {@code Dependencies} keeps the difference between absent
 * ({@code null}) and {@code []}, because upstream emits both.
 */
@JsonPropertyOrder({"JobName", "Repository", "Payload", "LeasePath", "Dependencies"})
@JsonInclude(JsonInclude.Include.ALWAYS)
public record JobSpecification(
        @JsonProperty("JobName") String jobName,
        @JsonProperty("Repository") String repository,
        @JsonProperty("Payload") String payload,
        @JsonProperty("LeasePath") String leasePath,
        @JsonProperty("Dependencies") List<String> dependencies) {
    /** The most jobs one {@code POST /api/v1/jobs} may carry (one transaction on the server). */
    public static final int BATCH_LIMIT = 500;

    public JobSpecification {
        jobName = jobName == null ? "" : jobName;
        repository = repository == null ? "" : repository;
        payload = payload == null ? "" : payload;
        leasePath = leasePath == null ? "" : leasePath;
        dependencies = dependencies == null ? null : List.copyOf(dependencies);
    }

    /** The dependencies, empty when absent. */
    public List<String> dependencyIds() {
        return dependencies == null ? List.of() : dependencies;
    }
}
