package org.cvmfs.suite.notify.api;

import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import org.cvmfs.suite.notify.service.PublicationRefusedException;
import org.jboss.logging.Logger;

/** A refused publish becomes an upstream-shaped error object with a status that tells why. */
@Provider
public class RefusalMapper implements ExceptionMapper<PublicationRefusedException> {
    private static final Logger LOG = Logger.getLogger(RefusalMapper.class);

    private final MeterRegistry metrics;

    @Inject
    public RefusalMapper(MeterRegistry metrics) {
        this.metrics = metrics;
    }

    @Override
    public Response toResponse(PublicationRefusedException e) {
        int status = switch (e.refusal()) {
            case MALFORMED -> 400;
            case UNAUTHENTICATED -> 401;
            case FORGED -> 403;
            case OUTDATED -> 409;
        };
        LOG.infof("publish refused (%d): %s", status, e.getMessage());
        metrics.counter("cvmfs.notify.publishes", "outcome", "refused_" + e.refusal().name().toLowerCase()).increment();
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE).entity(StatusReply.error(e.getMessage())).build();
    }
}
