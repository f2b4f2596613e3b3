package org.cvmfs.suite.gateway.testing;

import com.sun.net.httpserver.HttpServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A notification service stand-in on a free loopback port, configured as the gateway's
 * {@code notify_url}: it keeps the body of every publish it receives, and answers with the
 * status a test sets (200 by default).
 */
public final class NotifyCapture implements QuarkusTestResourceLifecycleManager {
    public static final String PUBLISH_PATH = "/api/v1/notifications/publish";

    private static final BlockingQueue<byte[]> RECEIVED = new LinkedBlockingQueue<>();
    private static volatile int status = 200;
    private HttpServer server;

    @Override
    public Map<String, String> start() {
        try {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        server.createContext(PUBLISH_PATH, exchange -> {
            RECEIVED.add(exchange.getRequestBody().readAllBytes());
            byte[] reply = (status == 200 ? "{\"status\":\"ok\"}" : "{\"status\":\"error\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        server.start();
        return Map.of("gateway.notify_url", "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1");
    }

    @Override
    public void stop() {
        server.stop(0);
    }

    /** Bodies of the publishes received, oldest first. */
    public static BlockingQueue<byte[]> received() {
        return RECEIVED;
    }

    /** The status the next publishes are answered with. */
    public static void answerWith(int httpStatus) {
        status = httpStatus;
    }
}
