package org.cvmfs.suite.gateway.api;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Response;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1")
@Tag(name = "repositories")
public class RootResource {
    /** Upstream's constant greeting; publishers and monitors use it as a liveness probe. */
    static final String WELCOME = "You are in an open field on the west side of a white house with a boarded front door.";

    @GET
    @Operation(summary = "Welcome message (liveness)")
    public Response welcome() {
        return Replies.json(Map.of("welcome", WELCOME));
    }
}
