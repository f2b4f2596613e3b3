package org.cvmfs.suite.notify.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.testing.Await;
import org.cvmfs.suite.notify.testing.NotifyTestHost;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.protocol.notify.SubscriptionRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The 2019 protocol of cvmfs 2.6.0 clients: binary subscription frames in, binary messages out. */
@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
class WebSocketSubscribeTest {
    @TestHTTPResource
    URL root;

    @Inject
    NotificationService service;

    private final BlockingQueue<byte[]> frames = new LinkedBlockingQueue<>();
    private final ExecutorService clientThreads = Executors.newCachedThreadPool();
    private final HttpClient http = HttpClient.newBuilder().executor(clientThreads).build();

    @AfterEach
    void stopClient() {
        clientThreads.shutdownNow();
    }

    @Test
    void deliversCachedAndNewMessagesOfEverySubscribedRepositoryAsBinaryFrames() throws Exception {
        byte[] cached = TestMessages.json("ws-a.test", 3);
        publish(cached);
        WebSocket ws = connect(null);
        send(ws, SubscriptionRequest.of("ws-a.test").toJson());
        assertArrayEquals(cached, frames.poll(20, TimeUnit.SECONDS), "the cached message comes at once");

        send(ws, "{\"version\":1,\"repository\":\"ws-b.test\"}".getBytes(StandardCharsets.US_ASCII));
        Await.subscribers(service, "ws-b.test", 1);
        byte[] b = TestMessages.json("ws-b.test", 1);
        publish(b);
        assertArrayEquals(b, frames.poll(20, TimeUnit.SECONDS));
        byte[] a = TestMessages.json("ws-a.test", 4);
        publish(a);
        assertArrayEquals(a, frames.poll(20, TimeUnit.SECONDS));

        send(ws, SubscriptionRequest.of("ws-a.test").toJson());
        send(ws, SubscriptionRequest.of("ws-d.test").toJson());
        Await.subscribers(service, "ws-d.test", 1); // frames are handled in order: the repeat is behind us
        assertEquals(1, service.subscriberCount("ws-a.test"), "subscribing twice holds one subscription");
        publish(TestMessages.json("ws-a.test", 5));
        assertArrayEquals(TestMessages.json("ws-a.test", 5), frames.poll(20, TimeUnit.SECONDS));

        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
        Await.subscribers(service, "ws-a.test", 0);
        Await.subscribers(service, "ws-b.test", 0);
        Await.subscribers(service, "ws-d.test", 0);
        assertTrue(frames.isEmpty(), "nothing was delivered twice: " + frames.size() + " frames left");
    }

    @Test
    void answersABadSubscriptionWithAnErrorFrameAndStaysOpen() throws Exception {
        WebSocket ws = connect(null);
        send(ws, "not json".getBytes(StandardCharsets.US_ASCII));
        String error = new String(frames.poll(20, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        assertTrue(error.startsWith("{\"status\":\"error\",\"reason\":\"subscription request is not valid JSON"), error);
        send(ws, "{\"version\":1}".getBytes(StandardCharsets.US_ASCII));
        error = new String(frames.poll(20, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        assertTrue(error.contains("'repository' is missing"), error);
        send(ws, SubscriptionRequest.of("bad/name").toJson());
        error = new String(frames.poll(20, TimeUnit.SECONDS), StandardCharsets.UTF_8);
        assertTrue(error.contains("not a repository name"), error);

        send(ws, SubscriptionRequest.of("ws-c.test").toJson());
        Await.subscribers(service, "ws-c.test", 1);
        publish(TestMessages.json("ws-c.test", 1));
        assertArrayEquals(TestMessages.json("ws-c.test", 1), frames.poll(20, TimeUnit.SECONDS));
        ws.abort();
        Await.subscribers(service, "ws-c.test", 0);
    }

    @Test
    void acceptsTheJsonSubprotocolWhenOffered() throws Exception {
        WebSocket ws = connect("json");
        assertEquals("json", ws.getSubprotocol());
        ws.abort();
    }

    private WebSocket connect(String subprotocol) throws Exception {
        WebSocket.Builder b = http.newWebSocketBuilder();
        if (subprotocol != null) {
            b.subprotocols(subprotocol);
        }
        URI uri = URI.create("ws://127.0.0.1:" + root.getPort() + "/api/v1/subscribe");
        return b.buildAsync(uri, new WebSocket.Listener() {
            private final ByteArrayOutputStream message = new ByteArrayOutputStream();

            @Override
            public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
                byte[] bytes = new byte[data.remaining()];
                data.get(bytes);
                message.writeBytes(bytes);
                if (last) {
                    frames.add(message.toByteArray());
                    message.reset();
                }
                webSocket.request(1);
                return null;
            }
        }).get(20, TimeUnit.SECONDS);
    }

    private static void send(WebSocket ws, byte[] frame) throws Exception {
        ws.sendBinary(ByteBuffer.wrap(frame), true).get(10, TimeUnit.SECONDS);
    }

    private static void publish(byte[] json) {
        given().body(json).when().post("/api/v1/publish").then().statusCode(200);
    }
}
