package org.cvmfs.suite.notify.api;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import org.cvmfs.suite.notify.service.LastValueCache;
import org.cvmfs.suite.notify.service.NotificationService;

/**
 * Publish, on the paths of both generations: {@code /api/v1/publish} (standalone
 * {@code cvmfs-notify}), {@code /api/v1/notifications/publish} (gateway), and the path a current
 * client builds from the tutorial's full-endpoint URL. Any Content-Type is accepted, since the
 * C++ publisher sends none of its own (libcurl's form default goes out).
 */
@Path("/api/v1")
public class PublishResource {
    private final NotificationService service;
    private final MeterRegistry metrics;

    @Inject
    public PublishResource(NotificationService service, MeterRegistry metrics) {
        this.service = service;
        this.metrics = metrics;
    }

    @POST
    @Path("publish")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusReply publish(byte[] body, @HeaderParam("Authorization") String authorization) {
        LastValueCache.Outcome outcome = service.publish(body == null ? new byte[0] : body, authorization);
        metrics.counter("cvmfs.notify.publishes", "outcome", outcome.name().toLowerCase()).increment();
        return StatusReply.ok();
    }

    @POST
    @Path("notifications/publish")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusReply publishOnGatewayPath(byte[] body, @HeaderParam("Authorization") String authorization) {
        return publish(body, authorization);
    }

    @POST
    @Path("publish/notifications/publish")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public StatusReply publishOnTutorialPath(byte[] body, @HeaderParam("Authorization") String authorization) {
        return publish(body, authorization);
    }
}
