package org.cvmfs.suite.gateway.startup;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.inject.Singleton;

/**
 * The gateway speaks HTTP/1.1, as upstream's (Go's server without an h2c handler) and its
 * publishers (libcurl, HTTP/1.1) do. Without h2c, Vert.x builds the HTTP/1.1 decoder at the
 * accept instead of sniffing the first bytes, so the header-read deadline
 * ({@link HeaderReadDeadline}) times every request head from the accept.
 */
@Singleton
public class Http1Only implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.setHttp2ClearTextEnabled(false);
    }
}
