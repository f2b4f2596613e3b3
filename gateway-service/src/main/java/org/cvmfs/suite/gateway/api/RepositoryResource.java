package org.cvmfs.suite.gateway.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.Map;
import java.util.TreeMap;
import org.cvmfs.suite.gateway.admin.AdminService;
import org.cvmfs.suite.gateway.repo.Repository;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.protocol.gateway.GatewayJson;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.MalformedMessageException;
import com.fasterxml.jackson.annotation.JsonProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/repos")
@Tag(name = "repositories")
public class RepositoryResource {
    @Inject
    RepositoryRegistry repositories;
    @Inject
    Authenticator auth;
    @Inject
    AdminService admin;

    @GET
    @Operation(summary = "List repositories with their keys (key id to allowed path) and enabled flag")
    public Response list() {
        Map<String, ListingReplies.RepositoryInfo> data = new TreeMap<>();
        for (Repository r : repositories.all()) {
            data.put(r.name(), ListingReplies.RepositoryInfo.of(r, repositories.isEnabled(r.name())));
        }
        return Replies.json(ListingReplies.Data.ok(data));
    }

    @GET
    @Path("{name}")
    @Operation(summary = "One repository")
    public Response get(@PathParam("name") String name) {
        return repositories.find(name)
                .map(r -> Replies.json(ListingReplies.Data.ok(
                        ListingReplies.RepositoryInfo.of(r, repositories.isEnabled(name)))))
                .orElseGet(() -> Replies.json(GatewayReply.error("invalid_repo")));
    }

    @POST
    @Path("{name}")
    @Operation(summary = "Enable or disable new leases on a repository (admin key, HMAC over the body)")
    public Response setEnabled(@PathParam("name") String name, @HeaderParam("Authorization") String authorization,
                               InputStream in) {
        byte[] body = Replies.readSmallBody(in);
        auth.requireAdmin(authorization, body);
        EnableRequest request;
        try {
            request = GatewayJson.read(body, EnableRequest.class);
        } catch (MalformedMessageException e) {
            throw PlainTextException.invalidBody();
        }
        return Replies.json(admin.setEnabled(name, request.enable()));
    }

    /** {@code wait} is accepted and ignored, as upstream; both default to false. */
    record EnableRequest(@JsonProperty("enable") boolean enable, @JsonProperty("wait") boolean waitForLeases) {
    }
}
