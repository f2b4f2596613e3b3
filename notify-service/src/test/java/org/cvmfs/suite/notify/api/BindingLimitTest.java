package org.cvmfs.suite.notify.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.testing.Await;
import org.cvmfs.suite.notify.testing.NotifyTestHost;
import org.cvmfs.suite.notify.testing.RawHttp;
import org.cvmfs.suite.protocol.notify.SubscriptionRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A node that may follow one repository answers a subscription to a second one with 503 and a reason. */
@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
@TestProfile(BindingLimitTest.OneBinding.class)
class BindingLimitTest {
    /** An exchange of this test's own on the shared broker, removed at the end. */
    static final String EXCHANGE = "notify-test-limit-" + UUID.randomUUID();

    public static final class OneBinding implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cvmfs.notify.amqp.max-bindings", "1", "cvmfs.notify.amqp.exchange", EXCHANGE);
        }
    }

    @AfterAll
    static void removeExchange() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost("127.0.0.1");
        try (Connection c = f.newConnection("binding-limit-test-cleanup"); Channel ch = c.createChannel()) {
            ch.exchangeDelete(EXCHANGE);
        }
    }

    @TestHTTPResource
    URL root;

    @Inject
    NotificationService service;

    @Test
    void refusesASubscriptionBeyondTheBoundWith503AndAReason() throws Exception {
        try (RawHttp first = subscribe("first-limit.test"); RawHttp more = subscribe("first-limit.test")) {
            assertEquals(200, first.status);
            assertEquals(200, more.status, "a followed repository takes any number of subscribers");
            try (RawHttp second = subscribe("second-limit.test")) {
                assertEquals(503, second.status);
                assertEquals("application/json", second.headers.get("content-type"));
                assertEquals("{\"status\":\"error\",\"reason\":\"this node follows as many repositories as it may;"
                        + " second-limit.test is not one of them\"}", new String(second.readBody(), StandardCharsets.UTF_8));
            }
            assertEquals(0, service.subscriberCount("second-limit.test"));
        }
        Await.subscribers(service, "first-limit.test", 0);
    }

    private RawHttp subscribe(String repository) throws Exception {
        RawHttp http = new RawHttp(root.getPort());
        http.send("GET", "/api/v1/subscribe", SubscriptionRequest.of(repository).toJson());
        return http.readHead();
    }
}
