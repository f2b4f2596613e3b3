package org.cvmfs.suite.notify.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.notify.service.LastValueCache;
import org.cvmfs.suite.notify.service.Publication;
import org.cvmfs.suite.notify.testing.Await;
import org.cvmfs.suite.notify.testing.TestAmqp;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.notify.testing.TestNode;
import org.cvmfs.suite.protocol.testing.PrivateRabbitMq;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on a private RabbitMQ that is stopped and started: a publication node A accepts
 * while the broker is away reaches node B's subscribers and B's cache once it is back. B comes
 * back well after A (a longer retry interval), so A has flushed its outbox before B re-attached:
 * the case where a queue that lived only as long as B's connection lost the message.
 */
class BrokerRestartTest {
    private static final String REPO = "restart.test";

    @Test
    void aPublicationMadeWhileTheBrokerIsDownReachesTheOtherNode() throws Exception {
        try (PrivateRabbitMq broker = PrivateRabbitMq.startNew()) {
            TestAmqp amqp = TestAmqp.sharedBroker("restart").at(broker.host(), broker.amqpPort());
            try (TestNode a = TestNode.start(amqp); TestNode b = TestNode.start(amqp.withRetryInterval(Duration.ofSeconds(4)))) {
                TestNode.Recorder onB = b.subscribe(REPO);
                long revision = 0;
                Publication first = null;
                while (first == null && revision < 300) { // B binds asynchronously
                    a.service.publish(TestMessages.json(REPO, ++revision), null);
                    first = onB.received.poll(100, TimeUnit.MILLISECONDS);
                }
                assertNotNull(first, "the relay works before the restart");
                Await.until(() -> a.relay.connected() && b.relay.connected(), "both nodes are ready");

                broker.stop();
                Await.until(() -> !a.relay.connected() && !b.relay.connected(), "neither node is ready without the broker");
                byte[] whileDown = TestMessages.json(REPO, revision + 10);
                assertEquals(LastValueCache.Outcome.ACCEPTED, a.service.publish(whileDown, null));

                broker.start();
                Publication got;
                do {
                    got = onB.received.poll(60, TimeUnit.SECONDS);
                    assertNotNull(got, "B's subscriber receives the publication made while the broker was down");
                } while (got.revision() != revision + 10);
                assertArrayEquals(whileDown, got.wire());
                assertEquals(revision + 10, b.service.latest(REPO).orElseThrow().revision(), "B's cache has it");
                Await.until(() -> a.relay.connected() && b.relay.connected(), "both nodes are ready again");

                TestNode.Recorder late = b.subscribe(REPO);
                assertEquals(revision + 10, late.received.take().revision(), "a new subscriber on B gets it from the cache");
            }
        }
    }
}
