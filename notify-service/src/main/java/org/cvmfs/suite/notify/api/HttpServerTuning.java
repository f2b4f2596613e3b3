package org.cvmfs.suite.notify.api;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.inject.Singleton;

/**
 * Subscriptions are long and mostly silent, and the SSE framing leaves no room for heartbeats:
 * SSE streams are exempt from the idle timeout ({@link IdleTimeoutExemption}), and TCP keep-alive
 * finds the peers that vanished (after some two minutes of silence and four unanswered probes).
 * Legacy WebSocket clients that offer the {@code json} subprotocol get it echoed.
 */
@Singleton
public class HttpServerTuning implements HttpServerOptionsCustomizer {
    @Override
    public void customizeHttpServer(HttpServerOptions options) {
        options.addWebSocketSubProtocol("json");
        options.setTcpKeepAlive(true)
                .setTcpKeepAliveIdleSeconds(60)
                .setTcpKeepAliveIntervalSeconds(15)
                .setTcpKeepAliveCount(4);
    }
}
