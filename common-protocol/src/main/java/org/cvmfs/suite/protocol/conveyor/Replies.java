package org.cvmfs.suite.protocol.conveyor;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * The server's JSON replies (spec 5.1): {@code Status} is {@code "ok"} or {@code "error"},
 * {@code Reason} omitted when empty, empty result lists omitted.
 */
public final class Replies {
    public static final String OK = "ok";
    public static final String ERROR = "error";

    private Replies() {
    }

    /** {@code POST /jobs/complete}'s reply, and the base of the others. */
    @JsonPropertyOrder({"Status", "Reason"})
    public record BasicReply(
            @JsonProperty("Status") String status,
            @JsonProperty("Reason") @JsonInclude(JsonInclude.Include.NON_EMPTY) String reason) {
        public static BasicReply ok() {
            return new BasicReply(OK, null);
        }

        public static BasicReply error(String reason) {
            return new BasicReply(ERROR, reason);
        }

        @JsonIgnore
        public boolean isOk() {
            return OK.equals(status);
        }
    }

    @JsonPropertyOrder({"Status", "Reason", "ID"})
    public record PostNewJobReply(
            @JsonProperty("Status") String status,
            @JsonProperty("Reason") @JsonInclude(JsonInclude.Include.NON_EMPTY) String reason,
            @JsonProperty("ID") @JsonInclude(JsonInclude.Include.NON_NULL) String id) {
        public static PostNewJobReply ok(String id) {
            return new PostNewJobReply(OK, null, id);
        }

        public static PostNewJobReply error(String reason) {
            return new PostNewJobReply(ERROR, reason, null);
        }

        @JsonIgnore
        public boolean isOk() {
            return OK.equals(status);
        }
    }

    /**
     * Our extension {@code POST /api/v1/jobs} (many jobs in one transaction): the new ids in the
     * order of the request, or the refusal of the whole request with the position ({@code Index},
     * 0-based) of the job that was refused.
     */
    @JsonPropertyOrder({"Status", "Reason", "Index", "IDs"})
    public record PostJobsReply(
            @JsonProperty("Status") String status,
            @JsonProperty("Reason") @JsonInclude(JsonInclude.Include.NON_EMPTY) String reason,
            @JsonProperty("Index") @JsonInclude(JsonInclude.Include.NON_NULL) Integer index,
            @JsonProperty("IDs") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> ids) {
        public PostJobsReply {
            ids = ids == null ? List.of() : List.copyOf(ids);
        }

        public static PostJobsReply ok(List<String> ids) {
            return new PostJobsReply(OK, null, null, ids);
        }

        public static PostJobsReply error(String reason, Integer index) {
            return new PostJobsReply(ERROR, reason, index, null);
        }

        @JsonIgnore
        public boolean isOk() {
            return OK.equals(status);
        }
    }

    @JsonPropertyOrder({"Status", "Reason", "IDs", "Jobs"})
    public record GetJobStatusReply(
            @JsonProperty("Status") String status,
            @JsonProperty("Reason") @JsonInclude(JsonInclude.Include.NON_EMPTY) String reason,
            @JsonProperty("IDs") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<JobStatus> ids,
            @JsonProperty("Jobs") @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ProcessedJob> jobs) {
        public GetJobStatusReply {
            ids = ids == null ? List.of() : List.copyOf(ids);
            jobs = jobs == null ? List.of() : List.copyOf(jobs);
        }

        public static GetJobStatusReply shortForm(List<JobStatus> ids) {
            return new GetJobStatusReply(OK, null, ids, null);
        }

        public static GetJobStatusReply full(List<ProcessedJob> jobs) {
            return new GetJobStatusReply(OK, null, null, jobs);
        }

        public static GetJobStatusReply error(String reason) {
            return new GetJobStatusReply(ERROR, reason, null, null);
        }

        @JsonIgnore
        public boolean isOk() {
            return OK.equals(status);
        }
    }
}
