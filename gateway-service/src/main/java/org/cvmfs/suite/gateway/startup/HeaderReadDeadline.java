package org.cvmfs.suite.gateway.startup;

import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.cvmfs.suite.protocol.httpserver.HeaderDeadlines;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * A connection whose request head is not complete within {@code cvmfs.gateway.header-timeout}
 * (default 20 s) of its accept, or of its first byte after a finished request, is closed
 * ({@link HeaderDeadlines}): the idle timeout alone lets a client that trickles a byte every few
 * seconds hold a connection for ever. Quarkus announces each listening server asynchronously. Request bodies (packs) are not bound by it.
 */
@Singleton
final class HeaderReadDeadline {
    private static final Logger LOG = Logger.getLogger(HeaderReadDeadline.class);

    void listening(@ObservesAsync HttpServerStart start, Vertx vertx,
                   @ConfigProperty(name = "cvmfs.gateway.header-timeout", defaultValue = "20s") Duration deadline) {
        try {
            int servers = HeaderDeadlines.install(vertx, deadline);
            LOG.debugf("header-read deadline %s on %d more HTTP server(s)", deadline, servers);
        } catch (RuntimeException | LinkageError e) {
            // Quarkus fires the event asynchronously and drops what an observer throws
            LOG.errorf(e, "no header-read deadline: %s", e.getMessage());
        }
    }
}
