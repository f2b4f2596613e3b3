package org.cvmfs.suite.notify.relay;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.notify.config.NotifySettings;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.service.AcceptedActivity;
import org.cvmfs.suite.notify.testing.Await;
import org.cvmfs.suite.notify.testing.NotifyTestHost;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.notify.testing.TestNode;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.notify.NotifyClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay against the real broker: what this node sends, what an upstream {@code cvmfs-notify}
 * node (a plain AMQP publisher) sends to it, and two of our nodes sharing publishes.
 * Bindings are made asynchronously, so the tests publish until the first message gets through.
 */
@QuarkusTest
@QuarkusTestResource(NotifyTestHost.class)
class RelayTest {
    private static final String EXCHANGE = "repository.activity";

    @TestHTTPResource
    URL root;

    @Inject
    NotifySettings settings;

    @Inject
    NotificationService service;

    private Connection amqp;
    private Channel channel;

    @BeforeEach
    void connect() throws Exception {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(settings.amqp().host());
        f.setPort(settings.amqp().port());
        f.setVirtualHost(settings.amqp().vhost());
        f.setUsername(settings.amqp().user().orElseThrow());
        f.setPassword(settings.amqp().password().orElseThrow());
        amqp = f.newConnection("relay-test");
        channel = amqp.createChannel();
    }

    @AfterEach
    void disconnect() throws Exception {
        amqp.close();
    }

    @Test
    void publishesAcceptedMessagesToTheExchangeUnderTheRepositoryName() throws Exception {
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, EXCHANGE, "outbound.test");
        byte[] json = TestMessages.json("outbound.test", 1);
        given().body(json).when().post("/api/v1/publish").then().statusCode(200);
        GetResponse got = Await.value(() -> channel.basicGet(queue, true), Duration.ofMillis(50), "the message reaches the exchange");
        assertArrayEquals(json, got.getBody());
        assertEquals("outbound.test", got.getEnvelope().getRoutingKey());
        assertEquals(EXCHANGE, got.getEnvelope().getExchange());
        given().when().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void deliversWhatAnUpstreamNodeRelaysAndDropsWhatItMustNot() throws Exception {
        BlockingQueue<ActivityMessage> received = new LinkedBlockingQueue<>();
        try (NotifyClient.Subscription s = NotifyClient.create(URI.create(root + "api/v1")).subscribe("inbound.test", received::add)) {
            Await.subscribers(service, "inbound.test", 1);
            // an upstream node sends no properties; these must all be dropped
            channel.basicPublish(EXCHANGE, "inbound.test", null, "{garbage".getBytes(StandardCharsets.US_ASCII));
            channel.basicPublish(EXCHANGE, "inbound.test", null, TestMessages.json("elsewhere.test", 99));
            int[] revision = {1};
            ActivityMessage first = Await.value(() -> {
                channel.basicPublish(EXCHANGE, "inbound.test", null, TestMessages.json("inbound.test", revision[0]++));
                return received.poll(200, TimeUnit.MILLISECONDS);
            }, Duration.ZERO, "a relayed message reaches the local subscriber");
            assertEquals("inbound.test", first.repository());
            assertTrue(service.latest("elsewhere.test").isEmpty(), "routing key and repository must agree");
        }
    }

    @Test
    void twoNodesShareAPublishThroughTheBroker() throws Exception {
        try (TestNode second = TestNode.start(settings.amqp())) {
            TestNode.Recorder onSecond = second.subscribe("shared.test");
            int[] revision = {1};
            AcceptedActivity arrived = Await.value(() -> {
                given().body(TestMessages.json("shared.test", revision[0]++)).when().post("/api/v1/publish").then().statusCode(200);
                return onSecond.received.poll(200, TimeUnit.MILLISECONDS);
            }, Duration.ZERO, "a publish on the first node reaches a subscriber of the second");
            assertArrayEquals(TestMessages.json("shared.test", arrived.revision()), arrived.wire());
            assertEquals(arrived.revision(), second.service.latest("shared.test").orElseThrow().revision());
            assertTrue(Files.exists(second.cache.resolve("cache/shared.test.json")), "the second node caches it on disk");
            onSecond.unsubscribe();

            BlockingQueue<ActivityMessage> onFirst = new LinkedBlockingQueue<>();
            try (NotifyClient.Subscription s = NotifyClient.create(URI.create(root + "api/v1")).subscribe("shared-back.test", onFirst::add)) {
                Await.subscribers(service, "shared-back.test", 1);
                int[] back = {1};
                Await.value(() -> {
                    second.service.publish(TestMessages.json("shared-back.test", back[0]++), null);
                    return onFirst.poll(200, TimeUnit.MILLISECONDS);
                }, Duration.ZERO, "a publish on the second node reaches a subscriber of the first");
            }
        }
    }
}
