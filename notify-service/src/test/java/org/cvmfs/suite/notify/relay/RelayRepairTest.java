package org.cvmfs.suite.notify.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.notify.service.BindingLimitException;
import org.cvmfs.suite.notify.service.LastValueCache;
import org.cvmfs.suite.notify.service.AcceptedActivity;
import org.cvmfs.suite.notify.testing.Await;
import org.cvmfs.suite.notify.testing.TestAmqp;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.notify.testing.TestNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay never goes quietly deaf, against the shared broker on an exchange of this test's
 * own: a publication the broker refuses (nack) is retried while the others flow, a channel the
 * broker closes is reopened with the topology set up again, and bindings follow what the node
 * follows, no more than the bound.
 */
class RelayRepairTest {
    private TestAmqp amqp;
    private Connection connection;
    private Channel channel;
    /** Routing keys of mandatory test publishes that no queue took. */
    private final Set<String> returned = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void connect() throws Exception {
        amqp = TestAmqp.sharedBroker("repair");
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(amqp.host());
        f.setPort(amqp.port());
        connection = f.newConnection("relay-repair-test");
        channel = connection.createChannel();
        channel.exchangeDeclare(amqp.exchange(), BuiltinExchangeType.DIRECT, true, false, false, null);
        channel.confirmSelect();
        channel.addReturnListener(r -> returned.add(r.getRoutingKey()));
    }

    @AfterEach
    void cleanUp() throws Exception {
        channel.exchangeDelete(amqp.exchange());
        connection.close();
    }

    @Test
    void retriesANackedPublicationWhileOthersFlow() throws Exception {
        try (TestNode node = TestNode.start(amqp)) {
            Await.until(node.relay::connected, "the relay is up");
            String refusing = channel.queueDeclare("", false, true, true,
                    Map.of("x-max-length", 0, "x-overflow", "reject-publish")).getQueue();
            channel.queueBind(refusing, amqp.exchange(), "nacked.test");
            String open = queueFor("flowing.test");

            byte[] nacked = TestMessages.json("nacked.test", 1);
            assertEquals(LastValueCache.Outcome.ACCEPTED, node.service.publish(nacked, null));
            byte[] flowing = TestMessages.json("flowing.test", 1);
            node.service.publish(flowing, null);
            assertArrayEquals(flowing, take(open), "the publishing channel survived the nack");
            assertTrue(node.relay.connected(), "ready");

            String late = queueFor("nacked.test");
            channel.queueDelete(refusing);
            assertArrayEquals(nacked, take(late), "the refused publication was kept and sent again");
        }
    }

    @Test
    void reopensAChannelTheBrokerClosedAndBindsAgain() throws Exception {
        try (TestNode node = TestNode.start(amqp)) {
            TestNode.Recorder inbound = node.subscribe("inbound.test");
            relayUntilReceived(inbound, 1, "relayed messages arrive");

            channel.exchangeDelete(amqp.exchange()); // takes every binding with it
            node.service.publish(TestMessages.json("outbound.test", 1), null); // to no exchange: the broker closes the channel
            Await.until(this::exchangeExists, "the relay declares the exchange again when it reopens the channel");
            Await.until(node.relay::connected, "ready");

            relayUntilReceived(inbound, 2, "the binding is back: relayed messages arrive again");
            String watch = queueFor("outbound.test");
            byte[] next = TestMessages.json("outbound.test", 2);
            node.service.publish(next, null);
            assertArrayEquals(next, take(watch), "publishes flow again");
        }
    }

    @Test
    void bindsWhatTheNodeFollowsAndNoMoreThanTheBound() throws Exception {
        try (TestNode node = TestNode.start(amqp.withMaxBindings(2))) {
            TestNode.Recorder a = node.subscribe("a.test");
            TestNode.Recorder b = node.subscribe("b.test");
            assertThrows(BindingLimitException.class, () -> node.subscribe("c.test"));
            assertEquals(0, node.service.subscriberCount("c.test"));
            Await.until(() -> routed("a.test") && routed("b.test"), "both are bound");
            assertFalse(routed("c.test"), "the refused one is not bound");

            node.service.publish(TestMessages.json("b.test", 1), null); // b is now cached: followed without subscribers
            b.unsubscribe();
            a.unsubscribe(); // the relay handles releases in order: once a is gone, b was decided
            Await.until(() -> !routed("a.test"), "a repository nobody follows any more is unbound");
            assertTrue(routed("b.test"), "a cached repository stays bound");

            node.subscribe("c.test"); // a's place is free
            Await.until(() -> routed("c.test"), "c is bound");
            assertThrows(BindingLimitException.class, () -> node.subscribe("d.test"));
        }
    }

    /** Publishes as an upstream node would until the recorder has a message of at least that revision. */
    private AcceptedActivity relayUntilReceived(TestNode.Recorder recorder, long fromRevision, String what) throws Exception {
        long[] revision = {fromRevision * 1000};
        return Await.value(() -> {
            channel.basicPublish(amqp.exchange(), recorder.repository(), null, TestMessages.json(recorder.repository(), revision[0]++));
            return recorder.received.poll(100, TimeUnit.MILLISECONDS);
        }, Duration.ZERO, what);
    }

    private boolean exchangeExists() {
        try (Channel probe = connection.createChannel()) {
            probe.exchangeDeclarePassive(amqp.exchange());
            return true;
        } catch (java.io.IOException notFound) {
            return false; // the broker closed the probe channel
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether a queue takes a message of this routing key (only the node's queue is bound here). */
    private boolean routed(String routingKey) {
        try {
            returned.remove(routingKey);
            channel.basicPublish(amqp.exchange(), routingKey, true, null, "probe".getBytes(StandardCharsets.US_ASCII));
            channel.waitForConfirmsOrDie(10_000); // a return comes before the confirm
            return !returned.contains(routingKey);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private String queueFor(String routingKey) throws Exception {
        String queue = channel.queueDeclare("", false, true, true, null).getQueue();
        channel.queueBind(queue, amqp.exchange(), routingKey);
        return queue;
    }

    private byte[] take(String queue) throws Exception {
        return Await.value(() -> channel.basicGet(queue, true), Duration.ofMillis(50), "nothing arrived on " + queue).getBody();
    }
}
