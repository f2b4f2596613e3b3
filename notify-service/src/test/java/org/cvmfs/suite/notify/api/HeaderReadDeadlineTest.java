package org.cvmfs.suite.notify.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.testing.Await;
import org.cvmfs.suite.notify.testing.NotifyTestHost;
import org.cvmfs.suite.notify.testing.RawHttp;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.protocol.notify.SseFraming;
import org.cvmfs.suite.protocol.notify.SubscriptionRequest;
import org.junit.jupiter.api.Test;

/**
 * The header-read deadline ({@link HeaderReadDeadline}) shrunk to 2 s, the idle timeout left at
 * 90 s: a head trickled a byte every half second is closed; a subscription whose head came whole
 * stays and delivers after the deadline has long passed.
 */
@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
@TestProfile(HeaderReadDeadlineTest.ShortDeadline.class)
class HeaderReadDeadlineTest {
    public static final class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cvmfs.notify.header-timeout", "2s", "cvmfs.notify.testing-mode", "true");
        }
    }

    @TestHTTPResource
    URL root;

    @Inject
    NotificationService service;

    @Test
    void aHeadTrickledByteByByteIsClosed() throws Exception {
        byte[] head = "GET /api/v1/subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
        try (RawHttp slow = new RawHttp(root.getPort())) {
            boolean closed = false;
            for (int i = 0; i < 120 && !closed; i++) { // a minute of trickling, below the 90 s idle timeout
                try {
                    slow.sendRaw(new byte[] {i < head.length ? head[i] : (byte) 'a'});
                } catch (IOException broken) {
                    closed = true;
                    break;
                }
                try {
                    closed = slow.closedByPeer(500);
                } catch (SocketTimeoutException stillOpen) {
                    closed = false;
                }
            }
            assertTrue(closed, "the trickled head's connection is still open");
        }
    }

    @Test
    void aSubscriptionOutlivesTheDeadline() throws Exception {
        try (RawHttp subscription = new RawHttp(root.getPort())) {
            subscription.send("GET", "/api/v1/subscribe", SubscriptionRequest.of("deadline.test").toJson());
            subscription.readHead();
            assertEquals(200, subscription.status);
            Await.subscribers(service, "deadline.test", 1);
            Thread.sleep(4_000); // twice the deadline
            byte[] json = TestMessages.json("deadline.test", 1);
            service.publish(json, null);
            assertArrayEquals(SseFraming.frame(json), subscription.readChunk(), "the subscription still delivers");
        }
    }
}
