package org.cvmfs.suite.protocol.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class NotifyClientTest {
    private HttpServer server;
    private URI root;
    private final BlockingQueue<Recorded> requests = new LinkedBlockingQueue<>();

    private record Recorded(String method, String path, String authorization, byte[] body) {
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.start();
        root = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void resolvesApiRootsAndFullEndpoints() {
        assertEquals(URI.create("http://gw:4929/api/v1/notifications/publish"),
                NotifyClient.endpoint(URI.create("http://gw:4929/api/v1"), "publish"));
        assertEquals(URI.create("http://gw:4929/api/v1/notifications/subscribe"),
                NotifyClient.endpoint(URI.create("http://gw:4929/api/v1/"), "subscribe"));
        assertEquals(URI.create("http://gw:4930/api/v1/publish"),
                NotifyClient.endpoint(URI.create("http://gw:4930/api/v1/publish"), "publish"));
        assertEquals(URI.create("http://gw:4930/api/v1/subscribe"),
                NotifyClient.endpoint(URI.create("http://gw:4930/api/v1/publish"), "subscribe"));
        assertEquals(URI.create("https://gw/api/v1/notifications/publish"),
                NotifyClient.endpoint(URI.create("https://gw/api/v1/notifications/subscribe"), "publish"));
        assertThrows(IllegalArgumentException.class, () -> NotifyClient.endpoint(URI.create("ws://gw/x"), "publish"));
    }

    @Test
    void publishesTheCanonicalBodySignedWithTheGatewayKey() throws Exception {
        respond("/api/v1/notifications/publish", 200, "{\"status\":\"ok\"}");
        ActivityMessage m = ActivityMessage.of("a.org", new byte[] {1, 2, 3}, ZonedDateTime.now());
        GatewayKey key = new GatewayKey("key1", "big_secret");
        NotifyClient.PublishReply reply = NotifyClient.create(root).withGatewayKey(key).publish(m);
        assertTrue(reply.accepted());
        assertEquals("{\"status\":\"ok\"}", reply.body());
        Recorded r = requests.poll(10, TimeUnit.SECONDS);
        assertEquals("POST", r.method);
        assertArrayEquals(m.toJson(), r.body);
        assertEquals(GatewayAuth.sign(key, m.toJson()), r.authorization);
    }

    @Test
    void reportsARefusalAsAReplyAndAnUnreachableServerAsAnException() throws Exception {
        respond("/api/v1/notifications/publish", 409, "{\"status\":\"error\",\"reason\":\"older\"}");
        NotifyClient.PublishReply reply = NotifyClient.create(root).publish("a.org", new byte[0]);
        assertFalse(reply.accepted());
        assertEquals(409, reply.status());
        server.stop(0);
        assertThrows(IOException.class, () -> NotifyClient.create(root).publish("a.org", new byte[0]));
    }

    @Test
    void subscribesWithAGetBodyAndReassemblesEventsSplitAcrossWrites() throws Exception {
        ActivityMessage first = ActivityMessage.of("a.org", "S1".getBytes(StandardCharsets.US_ASCII), ZonedDateTime.now());
        ActivityMessage second = ActivityMessage.of("a.org", "S2".getBytes(StandardCharsets.US_ASCII), ZonedDateTime.now());
        byte[] framed = SseFraming.frame(first.toJson());
        stream(List.of(slice(framed, 0, 3), slice(framed, 3, framed.length - 1), slice(framed, framed.length - 1, framed.length),
                SseFraming.frame(second.toJson())));
        BlockingQueue<ActivityMessage> received = new LinkedBlockingQueue<>();
        CountDownLatch connected = new CountDownLatch(1);
        NotifyClient.Subscription s = NotifyClient.create(root).subscribe("a.org", new NotifyClient.Listener() {
            @Override
            public void onConnected() {
                connected.countDown();
            }

            @Override
            public void onMessage(ActivityMessage message) {
                received.add(message);
            }
        });
        assertTrue(connected.await(10, TimeUnit.SECONDS));
        assertEquals(first, received.poll(10, TimeUnit.SECONDS));
        assertEquals(second, received.poll(10, TimeUnit.SECONDS));
        s.ended().get(10, TimeUnit.SECONDS);
        Recorded r = requests.poll(10, TimeUnit.SECONDS);
        assertEquals("GET", r.method);
        assertEquals("/api/v1/notifications/subscribe", r.path);
        assertArrayEquals(SubscriptionRequest.of("a.org").toJson(), r.body);
    }

    @Test
    void endsExceptionallyOnARefusalOrAnEventThatIsNoActivityMessage() throws Exception {
        respond("/api/v1/notifications/subscribe", 400, "{\"status\":\"error\",\"reason\":\"bad\"}");
        ExecutionException refused = assertThrows(ExecutionException.class,
                () -> NotifyClient.create(root).subscribe("a.org", m -> { }).ended().get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause().getMessage().contains("HTTP 400"), refused.getCause().getMessage());

        server.removeContext("/api/v1/notifications/subscribe");
        stream(List.of("data: {\"status\":\"timeout\"}\n\n".getBytes(StandardCharsets.US_ASCII)));
        ExecutionException garbage = assertThrows(ExecutionException.class,
                () -> NotifyClient.create(root).subscribe("a.org", m -> { }).ended().get(10, TimeUnit.SECONDS));
        assertInstanceOf(NotifyMessageException.class, garbage.getCause());
    }

    @Test
    void closingEndsTheSubscription() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        server.createContext("/api/v1/notifications/subscribe", exchange -> {
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(200, 0);
            try {
                release.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        CountDownLatch connected = new CountDownLatch(1);
        NotifyClient.Subscription s = NotifyClient.create(root).subscribe("a.org", new NotifyClient.Listener() {
            @Override
            public void onConnected() {
                connected.countDown();
            }

            @Override
            public void onMessage(ActivityMessage message) {
            }
        });
        assertTrue(connected.await(10, TimeUnit.SECONDS));
        s.close();
        CompletionException closed = assertThrows(CompletionException.class, () -> s.ended().join());
        assertInstanceOf(NotifyClient.SubscriptionClosedException.class, closed.getCause());
        release.countDown();
    }

    private void respond(String path, int status, String body) {
        server.createContext(path, exchange -> {
            record(exchange);
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
    }

    private void stream(List<byte[]> writes) {
        server.createContext("/api/v1/notifications/subscribe", exchange -> {
            record(exchange);
            exchange.getResponseHeaders().add("Content-Type", "text/event-stream");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                for (byte[] w : writes) {
                    out.write(w);
                    out.flush();
                    Thread.sleep(20);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    private void record(HttpExchange exchange) throws IOException {
        requests.add(new Recorded(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestBody().readAllBytes()));
    }

    private static byte[] slice(byte[] b, int from, int to) {
        return java.util.Arrays.copyOfRange(b, from, to);
    }
}
