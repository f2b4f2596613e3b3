package org.cvmfs.suite.gateway.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.cvmfs.suite.gateway.admin.AdminService;
import org.cvmfs.suite.gateway.admin.GcRequest;
import org.cvmfs.suite.protocol.gateway.MalformedMessageException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1")
@Tag(name = "admin")
public class AdminResource {
    private static final String CANCEL_ROUTE = "/leases-by-path/";

    @Inject
    AdminService admin;
    @Inject
    Authenticator auth;

    @DELETE
    @Path("leases-by-path/{remainder: .*}")
    @Operation(summary = "Cancel every lease under <repo>/<path prefix> (admin key, HMAC over the URL path)")
    public Response cancelLeases(@HeaderParam("Authorization") String authorization, @Context UriInfo uri) {
        String signedPath = uri.getRequestUri().getPath();
        auth.requireAdmin(authorization, signedPath.getBytes(StandardCharsets.UTF_8));
        // from the request path itself: the router would drop the trailing slash of "<repo>/"
        String remainder = signedPath.substring(signedPath.indexOf(CANCEL_ROUTE) + CANCEL_ROUTE.length());
        if (remainder.isEmpty()) {
            throw new PlainTextException(400, "missing path argument");
        }
        return Replies.json(admin.cancelLeases(remainder));
    }

    @POST
    @Path("gc")
    @Operation(summary = "Run garbage collection on a repository (admin key, HMAC over the body)")
    public Response collectGarbage(@HeaderParam("Authorization") String authorization, InputStream in) {
        byte[] body = Replies.readSmallBody(in);
        auth.requireAdmin(authorization, body);
        GcRequest request;
        try {
            request = GcRequest.parse(body);
        } catch (MalformedMessageException e) {
            throw PlainTextException.invalidBody();
        }
        return Replies.json(admin.collectGarbage(request));
    }
}
