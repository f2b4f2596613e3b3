package org.cvmfs.suite.notify.api;

import io.netty.channel.ChannelPipeline;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Lifts the server's idle timeout ({@code quarkus.http.idle-timeout}) from one connection: an SSE
 * subscription may rightly stay silent for days, and its framing leaves no room for a heartbeat
 * (a C++ subscriber takes any extra line for a broken message and reconnects). Every other
 * connection (keep-alive, a request head or body that stalls) keeps the timeout. Vert.x offers no
 * per-connection setting, so this removes the idle handler it installs in the connection's
 * pipeline; TCP keep-alive ({@link HttpServerTuning}) still finds peers that vanished.
 */
final class IdleTimeoutExemption {
    /** The name Vert.x gives its {@code IdleStateHandler} in an HTTP server pipeline. */
    private static final String IDLE_HANDLER = "idle";

    private IdleTimeoutExemption() {
    }

    /** Call on the connection's event loop. @return whether a timeout was lifted */
    static boolean grant(HttpConnection connection) {
        if (connection instanceof ConnectionBase base) {
            ChannelPipeline pipeline = base.channel().pipeline();
            if (pipeline.get(IDLE_HANDLER) != null) {
                pipeline.remove(IDLE_HANDLER);
                return true;
            }
        }
        return false;
    }
}
