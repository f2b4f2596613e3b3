package org.cvmfs.suite.conveyor.server.broker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.MessageProperties;
import java.nio.charset.StandardCharsets;
import org.cvmfs.suite.protocol.testing.PrivateRabbitMq;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pins the broker behaviour that {@code JobService.start} relies on when it refuses a first
 * delivery of a running job as a second copy of its message: a message handed to a consumer
 * that died unacked comes back with {@code Redelivered} set, also when the broker was stopped
 * or killed in between. Were the flag lost, the running job's only message would be dropped as
 * a duplicate and the job would stay running. Checked on the machine's RabbitMQ as a private
 * node (stopped cleanly, then killed with SIGKILL): a persistent message on a durable queue.
 */
class RedeliveredFlagTest {
    private static final String QUEUE = "jobs.redelivered-flag";

    @ParameterizedTest(name = "broker {0} between the deliveries")
    @ValueSource(strings = {"stopped", "killed"})
    void anUnackedDeliveryComesBackRedeliveredAfterARestart(String how) throws Exception {
        try (PrivateRabbitMq broker = PrivateRabbitMq.startNew()) {
            ConnectionFactory factory = new ConnectionFactory();
            factory.setHost(broker.host());
            factory.setPort(broker.amqpPort());
            try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
                ch.queueDeclare(QUEUE, true, false, false, null);
            }
            // the job queue exists long before a job, as in production: a broker killed right
            // after declaring it may lose the declaration itself, which is not what is checked here
            broker.stop();
            broker.start();
            try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
                ch.confirmSelect();
                ch.basicPublish("", QUEUE, MessageProperties.PERSISTENT_TEXT_PLAIN, "job".getBytes(StandardCharsets.UTF_8));
                ch.waitForConfirmsOrDie(10_000);
            }
            Connection worker = factory.newConnection();
            GetResponse first = worker.createChannel().basicGet(QUEUE, false);
            assertNotNull(first);
            assertFalse(first.getEnvelope().isRedeliver(), "a first delivery");
            worker.abort(); // the worker dies holding the message unacked

            if (how.equals("stopped")) {
                broker.stop();
            } else {
                broker.kill();
            }
            broker.start();

            try (Connection c = factory.newConnection(); Channel ch = c.createChannel()) {
                GetResponse again = ch.basicGet(QUEUE, false);
                assertNotNull(again, "the message survived the restart");
                assertEquals("job", new String(again.getBody(), StandardCharsets.UTF_8));
                assertTrue(again.getEnvelope().isRedeliver(), "delivered again with Redelivered set");
            }
        }
    }
}
