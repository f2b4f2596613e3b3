package org.cvmfs.suite.gateway.api;

import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.net.URI;
import org.cvmfs.suite.gateway.lease.LeaseStoreException;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Upstream's routing and error behaviour (Go's httprouter and http.Error). */
final class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class);
    private static final String API = "/api/v1";
    private static final String CANCEL_BY_PATH = API + "/leases-by-path/";

    @ServerExceptionMapper
    Response reply(ReplyException e) {
        return Replies.json(e.reply());
    }

    @ServerExceptionMapper
    Response plainText(PlainTextException e) {
        return Replies.text(e.status(), e.getMessage());
    }

    @ServerExceptionMapper
    Response notFound(NotFoundException e) {
        return Replies.text(404, "404 page not found");
    }

    @ServerExceptionMapper
    Response notAllowed(NotAllowedException e, UriInfo uri) {
        Response r = Replies.text(405, "Method Not Allowed");
        return Response.fromResponse(r).allow(AllowedMethods.forPath(uri.getRequestUri().getPath())).build();
    }

    @ServerExceptionMapper
    Response leaseStore(LeaseStoreException e) {
        LOG.error(e.getMessage(), e);
        return Replies.json(GatewayReply.error(e.getMessage()));
    }

    /**
     * A trailing slash redirects to the form without it, as httprouter does (301 for GET, 307
     * otherwise). The admin cancel route is exempt: there {@code <repo>/} means the whole
     * repository.
     */
    @ServerRequestFilter(preMatching = true)
    Response trailingSlash(ContainerRequestContext request) {
        URI uri = request.getUriInfo().getRequestUri();
        String path = uri.getRawPath();
        if (!path.startsWith(API + "/") || !path.endsWith("/") || path.startsWith(CANCEL_BY_PATH)) {
            return null;
        }
        String method = request.getMethod();
        int status = method.equals("GET") || method.equals("HEAD") ? 301 : 307;
        String target = path.replaceAll("/+$", "") + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        return Response.status(status).header("Location", target).build();
    }
}
