package org.cvmfs.suite.notify.api;

import io.quarkus.vertx.http.HttpServerStart;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.ObservesAsync;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Duration;
import org.cvmfs.suite.notify.config.NotifySettings;
import org.cvmfs.suite.protocol.httpserver.HeaderDeadlines;
import org.jboss.logging.Logger;

/**
 * A connection whose request head is not complete within {@code cvmfs.notify.header-timeout}
 * (default 20 s) of its accept, or of its first byte after a finished request, is closed
 * ({@link HeaderDeadlines}); the idle timeout alone lets a head that trickles a byte at a time
 * stay for ever. Subscriptions are untouched once their head arrived (an SSE stream sends nothing
 * more; a WebSocket has left HTTP/1.1). Quarkus announces each listening server asynchronously.
 */
@Singleton
final class HeaderReadDeadline {
    private static final Logger LOG = Logger.getLogger(HeaderReadDeadline.class);

    @Inject
    Vertx vertx;

    @Inject
    NotifySettings settings;

    void listening(@ObservesAsync HttpServerStart start) {
        Duration deadline = settings.headerTimeout();
        try {
            int servers = HeaderDeadlines.install(vertx, deadline);
            LOG.debugf("header-read deadline %s on %d more HTTP server(s)", deadline, servers);
        } catch (RuntimeException | LinkageError e) {
            // Quarkus fires the event asynchronously and drops what an observer throws
            LOG.errorf(e, "no header-read deadline: %s", e.getMessage());
        }
    }
}
