package org.cvmfs.suite.notify.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.testing.Await;
import org.cvmfs.suite.notify.testing.NotifyTestHost;
import org.cvmfs.suite.notify.testing.RawHttp;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.protocol.notify.SubscriptionRequest;
import org.junit.jupiter.api.Test;

/** What a libcurl subscriber reads, byte for byte, from a raw socket. */
@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
class SseFramingTest {
    @TestHTTPResource
    URL root;

    @Inject
    NotificationService service;

    @Test
    void streamsEachMessageAsOneDataLineAndABlankLineInOneChunk() throws Exception {
        byte[] cached = TestMessages.json("framing.test", 1);
        publish(cached);
        try (RawHttp http = subscribe("/api/v1/notifications/subscribe", "framing.test")) {
            assertEquals(200, http.status);
            assertEquals("text/event-stream", http.headers.get("content-type"));
            assertEquals("no-cache", http.headers.get("cache-control"));
            assertEquals("chunked", http.headers.get("transfer-encoding"));
            assertArrayEquals(frame(cached), http.readChunk(), "the cached message comes at once, in one write");

            byte[] next = TestMessages.json("framing.test", 2);
            publish(next);
            assertArrayEquals(frame(next), http.readChunk());
        }
    }

    @Test
    void sendsHeadersAtOnceAndNothingElseUntilThereIsSomethingToSay() throws Exception {
        try (RawHttp http = subscribe("/api/v1/subscribe", "quiet.test")) {
            assertEquals(200, http.status);
            Await.subscribers(service, "quiet.test", 1);
            byte[] first = TestMessages.json("quiet.test", 7);
            publish(first);
            assertArrayEquals(frame(first), http.readChunk(), "no comment, heartbeat or id precedes the event");
        }
    }

    @Test
    void backToBackPublishesArriveAsWholeSeparateEventsEndingWithTheNewest() throws Exception {
        try (RawHttp http = subscribe("/api/v1/subscribe/notifications/subscribe", "burst.test")) {
            Await.subscribers(service, "burst.test", 1);
            for (int revision = 1; revision <= 20; revision++) {
                publish(TestMessages.json("burst.test", revision));
            }
            byte[] last = frame(TestMessages.json("burst.test", 20));
            byte[] chunk;
            int events = 0;
            do {
                chunk = http.readChunk();
                events++;
                String text = new String(chunk, StandardCharsets.UTF_8);
                assertTrue(text.startsWith("data: {") && text.endsWith("}\n\n") && text.indexOf('\n') == text.length() - 2,
                        "one event per chunk: " + text);
            } while (!Arrays.equals(last, chunk));
            assertTrue(events <= 20, "never more events than publications");
        }
    }

    @Test
    void removesLineBreaksOfAPrettyPublish() throws Exception {
        String pretty = new String(TestMessages.json("pretty-sse.test", 1), StandardCharsets.UTF_8).replace(", ", ",\n  ");
        given().body(pretty).when().post("/api/v1/publish").then().statusCode(200);
        try (RawHttp http = subscribe("/api/v1/notifications/subscribe", "pretty-sse.test")) {
            assertArrayEquals(frame(pretty.replace("\n", "").getBytes(StandardCharsets.UTF_8)), http.readChunk());
        }
    }

    @Test
    void refusesABadSubscriptionWithAJsonError() throws Exception {
        try (RawHttp http = new RawHttp(root.getPort())) {
            http.send("GET", "/api/v1/notifications/subscribe", "{\"version\":1}".getBytes(StandardCharsets.US_ASCII));
            http.readHead();
            assertEquals(400, http.status);
            assertEquals("application/json", http.headers.get("content-type"));
            assertEquals("{\"status\":\"error\",\"reason\":\"subscription request field 'repository' is missing, a string is required\"}",
                    new String(http.readBody(), StandardCharsets.UTF_8));
        }
        try (RawHttp http = new RawHttp(root.getPort())) {
            http.send("GET", "/api/v1/subscribe", new byte[0]);
            http.readHead();
            assertEquals(400, http.status);
        }
        try (RawHttp http = new RawHttp(root.getPort())) {
            http.send("GET", "/api/v1/subscribe", SubscriptionRequest.of("../../etc").toJson());
            http.readHead();
            assertEquals(400, http.status);
            assertEquals("application/json", http.headers.get("content-type"));
            assertTrue(new String(http.readBody(), StandardCharsets.UTF_8).contains("not a repository name"));
        }
    }

    @Test
    void acceptsAPublishThatWaitsFor100Continue() throws Exception {
        byte[] body = TestMessages.json("continue.test", 1);
        try (RawHttp http = new RawHttp(root.getPort())) {
            http.sendRaw(("POST /api/v1/notifications/publish HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length
                    + "\r\nExpect: 100-continue\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            http.readHead();
            assertEquals(100, http.status);
            http.sendRaw(body);
            http.readHead();
            assertEquals(200, http.status);
        }
        assertEquals(1, service.latest("continue.test").orElseThrow().revision());
    }

    @Test
    void forgetsASubscriberThatHangsUp() throws Exception {
        RawHttp http = subscribe("/api/v1/notifications/subscribe", "hangup.test");
        Await.subscribers(service, "hangup.test", 1);
        http.close();
        Await.subscribers(service, "hangup.test", 0);
    }

    private RawHttp subscribe(String path, String repository) throws Exception {
        RawHttp http = new RawHttp(root.getPort());
        http.send("GET", path, SubscriptionRequest.of(repository).toJson());
        return http.readHead();
    }

    private static void publish(byte[] json) {
        given().body(json).when().post("/api/v1/publish").then().statusCode(200);
    }

    private static byte[] frame(byte[] json) {
        return ("data: " + new String(json, StandardCharsets.UTF_8) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }
}
