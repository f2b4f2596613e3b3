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
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * The connection limits of application.properties, shrunk (1 s idle, 4 connections) so that a
 * test sees them act: idle and stalled connections are closed, a silent SSE subscription is not,
 * and a connection above the bound is closed before it is served.
 */
@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
@TestProfile(ConnectionLimitsTest.Tight.class)
class ConnectionLimitsTest {
    static final int MAX_CONNECTIONS = 4;

    public static final class Tight implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("quarkus.http.idle-timeout", "1S",
                    "quarkus.http.limits.max-connections", Integer.toString(MAX_CONNECTIONS),
                    "cvmfs.notify.testing-mode", "true");
        }
    }

    @TestHTTPResource
    URL root;

    @Inject
    NotificationService service;

    @Test
    void closesAnIdleConnectionAndAStalledRequestHead() throws Exception {
        try (RawHttp silent = new RawHttp(root.getPort()); RawHttp stalled = new RawHttp(root.getPort())) {
            stalled.sendRaw("GET /api/v1/subscribe HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Le".getBytes(StandardCharsets.US_ASCII));
            assertTrue(silent.closedByPeer(30_000), "a connection that never sends a byte is closed");
            assertTrue(stalled.closedByPeer(30_000), "a request head that stops half-way is closed");
        }
    }

    @Test
    void aSilentSubscriptionOutlivesTheIdleTimeout() throws Exception {
        Await.until(() -> service.subscriberCount() == 0, "earlier subscriptions are gone");
        try (RawHttp subscription = subscribe("quiet-limits.test"); RawHttp idle = new RawHttp(root.getPort())) {
            assertTrue(idle.closedByPeer(30_000), "the idle timeout has struck an ordinary connection meanwhile");
            byte[] json = TestMessages.json("quiet-limits.test", 1);
            service.publish(json, null);
            assertArrayEquals(SseFraming.frame(json), subscription.readChunk(), "the subscription still delivers");
        }
    }

    @Test
    void closesAConnectionAboveTheBoundAndServesAgainBelowIt() throws Exception {
        Await.until(() -> service.subscriberCount() == 0, "earlier subscriptions are gone");
        List<RawHttp> held = new ArrayList<>();
        try {
            for (int i = 0; i < MAX_CONNECTIONS; i++) {
                held.add(subscribe("bound.test"));
            }
            Await.subscribers(service, "bound.test", MAX_CONNECTIONS);
            try (RawHttp extra = new RawHttp(root.getPort())) {
                try {
                    extra.send("GET", "/q/health/live", new byte[0]);
                } catch (IOException closedSooner) {
                    // refused before the request was out: the read below sees the same
                }
                assertTrue(extra.closedByPeer(30_000), "the connection above the bound is closed unanswered");
            }
            held.remove(0).close();
            Await.subscribers(service, "bound.test", MAX_CONNECTIONS - 1);
            Await.until(this::served, "a connection below the bound is served");
        } finally {
            for (RawHttp h : held) {
                h.close();
            }
        }
    }

    /** Whether a new connection gets an answer (the server counts a closed connection out shortly after it closed). */
    private boolean served() {
        try (RawHttp http = new RawHttp(root.getPort())) {
            http.send("GET", "/q/health/live", new byte[0]);
            return http.readHead().status == 200;
        } catch (IOException closed) {
            return false;
        }
    }

    private RawHttp subscribe(String repository) throws Exception {
        RawHttp http = new RawHttp(root.getPort());
        http.send("GET", "/api/v1/subscribe", SubscriptionRequest.of(repository).toJson());
        http.readHead();
        assertEquals(200, http.status);
        return http;
    }
}
