package org.cvmfs.suite.protocol.conveyor;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/** {@code {"ID","Successful"}}: the short status reply entry and the {@code jobs.done} message. */
@JsonPropertyOrder({"ID", "Successful"})
public record JobStatus(@JsonProperty("ID") String id, @JsonProperty("Successful") boolean successful) {
    public JobStatus {
        id = id == null ? ConveyorJson.ZERO_UUID : ConveyorJson.canonicalUuid(id);
    }
}
