package org.cvmfs.suite.gateway.api;

import io.vertx.core.http.HttpServerRequest;
import jakarta.inject.Inject;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.cvmfs.suite.gateway.commit.CommitService;
import org.cvmfs.suite.gateway.lease.AcquireOutcome;
import org.cvmfs.suite.gateway.lease.GoFormat;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.lease.ReplayGuard;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.gateway.LeasePathException;
import org.cvmfs.suite.protocol.gateway.LeaseRequest;
import org.cvmfs.suite.protocol.gateway.MalformedMessageException;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("/api/v1/leases")
@Tag(name = "leases")
public class LeaseResource {
    @Inject
    LeaseService leases;
    @Inject
    CommitService commits;
    @Inject
    Authenticator auth;
    @Inject
    ReplayGuard replayGuard;

    @GET
    @Operation(summary = "List unexpired leases")
    public Response list() {
        Map<String, ListingReplies.LeaseInfo> data = new TreeMap<>();
        for (Lease lease : leases.active()) {
            data.put(lease.path().toWire(), ListingReplies.LeaseInfo.of(lease));
        }
        return Replies.json(ListingReplies.Data.ok(data));
    }

    @GET
    @Path("{token}")
    @Operation(summary = "One unexpired lease (reply without status; HTTP 500 'invalid lease' otherwise)")
    public Response get(@PathParam("token") String token) {
        return leases.active(token)
                .map(l -> Replies.json(ListingReplies.Data.bare(ListingReplies.LeaseInfo.of(l))))
                .orElseGet(() -> Replies.text(500, "invalid lease"));
    }

    @POST
    @Operation(summary = "Acquire a lease (HMAC over the raw body)")
    public Response acquire(@HeaderParam("Authorization") String authorization, @Context HttpServerRequest http,
                            InputStream in) {
        byte[] body = Replies.readSmallBody(in);
        String keyId = auth.requireKey(authorization, body);
        LeaseRequest request;
        int version;
        try {
            request = LeaseRequest.parse(body);
            version = request.apiVersionNumber();
        } catch (MalformedMessageException e) {
            throw PlainTextException.invalidBody();
        }
        Optional<String> replay = replayGuard.refusal(keyId, request);
        if (replay.isPresent()) {
            return Replies.json(GatewayReply.error(replay.get()));
        }
        if (version < LeaseService.MIN_API_VERSION) {
            return Replies.json(GatewayReply.error("incompatible request version: " + version + ", min version: "
                    + LeaseService.MIN_API_VERSION));
        }
        int negotiated = Math.min(version, LeaseService.MAX_API_VERSION);
        LeasePath path;
        try {
            path = LeasePath.parse(request.path());
        } catch (LeasePathException e) {
            return Replies.json(GatewayReply.error(e.getMessage()));
        }
        String hostname = request.hostname() != null ? request.hostname() : peer(http);
        AcquireOutcome outcome = leases.acquire(keyId, path, negotiated, hostname);
        if (outcome instanceof AcquireOutcome.Granted granted) {
            return Replies.json(GatewayReply.leaseGranted(granted.lease().token(), negotiated));
        }
        if (outcome instanceof AcquireOutcome.Busy busy) {
            return Replies.json(GatewayReply.pathBusy(GoFormat.duration(busy.remaining())));
        }
        return Replies.json(GatewayReply.error(((AcquireOutcome.Refused) outcome).reason()));
    }

    @POST
    @Path("{token}")
    @Operation(summary = "Commit a lease: publish old root to new root within the lease path (HMAC over the token)")
    public Response commit(@PathParam("token") String token, @HeaderParam("Authorization") String authorization,
                           InputStream in) {
        auth.requireKey(authorization, token);
        CommitRequest request;
        try {
            request = CommitRequest.parse(Replies.readSmallBody(in));
        } catch (MalformedMessageException e) {
            throw PlainTextException.invalidBody();
        }
        return Replies.json(commits.commit(token, request));
    }

    @DELETE
    @Path("{token}")
    @Operation(summary = "Drop a lease (HMAC over the token)")
    public Response drop(@PathParam("token") String token, @HeaderParam("Authorization") String authorization) {
        auth.requireKey(authorization, token);
        return Replies.json(leases.drop(token) ? GatewayReply.ok() : GatewayReply.error("invalid lease"));
    }

    private static String peer(HttpServerRequest http) {
        var address = http.remoteAddress();
        return address == null ? "" : address.hostAddress() + ":" + address.port();
    }
}
