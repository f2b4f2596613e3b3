package org.cvmfs.suite.notify.api;

import io.quarkus.vertx.http.HttpServerOptionsCustomizer;
import io.vertx.core.http.HttpServerOptions;
import jakarta.inject.Singleton;

/**
 * Subscriptions are long and mostly silent, and the SSE framing leaves no room for heartbeats.
 * The idle timeout is therefore off (application.properties) and TCP keep-alive finds peers that
 * vanished. Legacy WebSocket clients that offer the {@code json} subprotocol get it echoed.
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
