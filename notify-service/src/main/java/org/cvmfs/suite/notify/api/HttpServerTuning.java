package org.cvmfs.suite.notify.api;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.inject.Singleton;

/**
 * Subscriptions are long and mostly silent, and the SSE framing leaves no room for heartbeats:
 * SSE streams are exempt from the idle timeout ({@link IdleTimeoutExemption}), and TCP keep-alive
 * finds the peers that vanished (after some two minutes of silence and four unanswered probes).
 * Legacy WebSocket clients that offer the {@code json} subprotocol get it echoed. HTTP/1.1 only.
 */
@Singleton
public class HttpServerTuning implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.addWebSocketSubProtocol("json");
        // HTTP/1.1 only, as upstream's notify serves its clients: no h2c sniffing of the first
        // bytes, so the header-read deadline (HeaderReadDeadline) times every head from the accept
        options.setHttp2ClearTextEnabled(false);
        options.setTcpKeepAlive(true)
                .setTcpKeepAliveIdleSeconds(60)
                .setTcpKeepAliveIntervalSeconds(15)
                .setTcpKeepAliveCount(4);
    }
}
