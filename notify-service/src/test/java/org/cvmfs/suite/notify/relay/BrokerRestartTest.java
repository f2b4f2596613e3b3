package org.cvmfs.suite.notify.relay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.notify.service.LastValueCache;
import org.cvmfs.suite.notify.service.AcceptedActivity;
import org.cvmfs.suite.notify.testing.Await;
import org.cvmfs.suite.notify.testing.TestAmqp;
import org.cvmfs.suite.notify.testing.TestMessages;
import org.cvmfs.suite.notify.testing.TestNode;
import org.cvmfs.suite.protocol.testing.PrivateRabbitMq;
import org.junit.jupiter.api.Test;

/**
 * Two nodes on a private RabbitMQ that is stopped and started, or frozen: what node A accepts
 * meanwhile reaches node B's subscribers and B's cache once the broker is back.
 */
class BrokerRestartTest {
    private static final String REPO = "restart.test";

    /**
     * B comes back well after A (a longer retry interval), so A has flushed its outbox before B
     * re-attached: the case where a queue that lived only as long as B's connection lost it.
     */
    @Test
    void aPublicationMadeWhileTheBrokerIsDownReachesTheOtherNode() throws Exception {
        try (PrivateRabbitMq broker = PrivateRabbitMq.startNew()) {
            TestAmqp amqp = TestAmqp.sharedBroker("restart").at(broker.host(), broker.amqpPort());
            try (TestNode a = TestNode.start(amqp); TestNode b = TestNode.start(amqp.withRetryInterval(Duration.ofSeconds(4)))) {
                TestNode.Recorder onB = b.subscribe(REPO);
                long revision = relayUntilReceived(a, onB, "the relay works before the restart"); // B binds asynchronously
                Await.until(() -> a.relay.connected() && b.relay.connected(), "both nodes are ready");

                broker.stop();
                Await.until(() -> !a.relay.connected() && !b.relay.connected(), "neither node is ready without the broker");
                byte[] whileDown = TestMessages.json(REPO, revision + 10);
                assertEquals(LastValueCache.Outcome.ACCEPTED, a.service.publish(whileDown, null));

                broker.start();
                AcceptedActivity got;
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

    /**
     * A broker frozen (SIGSTOP) while A publishes: no confirm comes, A gives the publishing
     * channel up and is not ready; once the broker runs again A reopens it and sends again.
     */
    @Test
    void aConfirmThatNeverComesCostsAChannelNotTheRelay() throws Exception {
        try (PrivateRabbitMq broker = PrivateRabbitMq.startNew()) {
            TestAmqp amqp = TestAmqp.sharedBroker("stall").at(broker.host(), broker.amqpPort());
            try (TestNode a = TestNode.start(amqp.withConfirmTimeout(Duration.ofSeconds(1))); TestNode b = TestNode.start(amqp)) {
                TestNode.Recorder onB = b.subscribe(REPO);
                long revision = relayUntilReceived(a, onB, "the relay works before the broker stalls");
                long stalled = revision + 10;
                signal("STOP");
                try {
                    a.service.publish(TestMessages.json(REPO, stalled), null);
                    Await.until(() -> !a.relay.connected(), "A is not ready once the confirm is overdue");
                } finally {
                    signal("CONT");
                }
                AcceptedActivity got;
                do {
                    got = onB.received.poll(60, TimeUnit.SECONDS);
                    assertNotNull(got, "the publication whose confirm never came is sent again on a new channel");
                } while (got.revision() != stalled);
                Await.until(a.relay::connected, "A is ready again");
            }
        }
    }

    /**
     * Sends a signal to the broker's Erlang VM: the one {@code beam.smp} among this JVM's
     * descendants, as the test's broker is the only one running (its arguments do not show the node name).
     */
    private static void signal(String signal) throws Exception {
        List<ProcessHandle> vms = ProcessHandle.current().descendants()
                .filter(p -> p.info().command().orElse("").endsWith("/beam.smp"))
                .toList();
        assertEquals(1, vms.size(), "one Erlang VM among this JVM's descendants: " + vms);
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(vms.get(0).pid())).inheritIO().start();
        assertEquals(0, kill.waitFor());
    }

    /** Publishes on {@code from} with rising revisions until {@code to} receives one; the last revision published. */
    private static long relayUntilReceived(TestNode from, TestNode.Recorder to, String what) throws Exception {
        long[] revision = {0};
        Await.value(() -> {
            from.service.publish(TestMessages.json(REPO, ++revision[0]), null);
            return to.received.poll(100, TimeUnit.MILLISECONDS);
        }, Duration.ZERO, what);
        return revision[0];
    }
}
