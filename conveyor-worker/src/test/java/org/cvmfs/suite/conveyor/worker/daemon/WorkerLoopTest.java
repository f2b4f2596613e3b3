package org.cvmfs.suite.conveyor.worker.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.conveyor.worker.job.JobRunner;
import org.cvmfs.suite.conveyor.worker.queue.JobQueue;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;
import org.cvmfs.suite.protocol.conveyor.ConveyorTopology;
import org.cvmfs.suite.protocol.conveyor.ProcessedJob;
import org.cvmfs.suite.protocol.conveyor.Replies;
import org.cvmfs.suite.protocol.conveyor.UnprocessedJob;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.protocol.testing.PrivateRabbitMq;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The worker loop against a private RabbitMQ (the dead-letter queue has a fixed name): mock
 * jobs succeed and are acked only after the server stored the result; an undecodable message is
 * dead-lettered and the next job still runs; a result the server does not store is requeued.
 */
class WorkerLoopTest {
    static PrivateRabbitMq broker;
    static Connection connection;
    static Channel channel;

    @BeforeAll
    static void start() throws Exception {
        broker = PrivateRabbitMq.startNew();
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(broker.host());
        f.setPort(broker.amqpPort());
        connection = f.newConnection();
        channel = connection.createChannel();
    }

    @AfterAll
    static void stop() throws Exception {
        connection.close();
        broker.close();
    }

    static ConveyorConfig.Queue queueConfig(String name) {
        return new ConveyorConfig.Queue("guest", "guest", broker.host(), broker.amqpPort(), "/", name, name, name + ".done");
    }

    /** Records results; refuses the first {@code refusals} of them. */
    static final class FakeServer implements JobServer {
        final LinkedBlockingQueue<ProcessedJob> stored = new LinkedBlockingQueue<>();
        final List<ProcessedJob> refused = new CopyOnWriteArrayList<>();
        int refusals;

        @Override
        public Claim claim(UnprocessedJob job, String workerName, Boolean redelivered) {
            return Claim.RUN;
        }

        @Override
        public Replies.BasicReply report(ProcessedJob result) {
            if (refusals > 0) {
                refusals--;
                refused.add(result);
                return Replies.BasicReply.error("executing SQL statement failed");
            }
            stored.add(result);
            return Replies.BasicReply.ok();
        }
    }

    static void publish(String exchange, byte[] body) throws Exception {
        channel.basicPublish(exchange, "", true, new AMQP.BasicProperties.Builder().contentType("text/json")
                .deliveryMode(2).build(), body);
    }

    static byte[] job(String id) {
        return ConveyorJson.write(new UnprocessedJob(id, "n", "repo.test", "", "/", List.of(), 1));
    }

    Thread startLoop(JobQueue queue, FakeServer server) {
        JobRunner mock = new JobRunner("w1", true, null, null, null, null, Clock.systemUTC());
        WorkerLoop loop = new WorkerLoop(queue, mock, server, "w1", 2, Duration.ofMillis(10), (o, d) -> { });
        Thread t = new Thread(loop);
        t.start();
        return t;
    }

    @Test
    void undecodableMessageIsDeadLetteredAndTheWorkerCarriesOn() throws Exception {
        JobQueue queue = new JobQueue(queueConfig("jobs.test-dl"));
        FakeServer server = new FakeServer();
        Thread t = startLoop(queue, server);
        try {
            Await.until(queue::connected, () -> "the worker's queue never connected");
            byte[] poison = "{not json".getBytes(StandardCharsets.UTF_8);
            publish("jobs.test-dl", poison);
            String id = "11111111-2222-4333-8444-555555555555";
            publish("jobs.test-dl", job(id));
            ProcessedJob result = server.stored.poll(60, TimeUnit.SECONDS);
            assertEquals(id, result.id());
            assertTrue(result.successful());
            assertEquals("w1", result.workerName());
            GetResponse dead = null;
            while (dead == null) {
                dead = channel.basicGet("jobs.test-dl.dead", true);
            }
            assertEquals(new String(poison, StandardCharsets.UTF_8), new String(dead.getBody(), StandardCharsets.UTF_8));
            assertTrue(dead.getProps().getHeaders().get("x-conveyor-error").toString().startsWith("could not decode job"));
        } finally {
            t.interrupt();
            t.join();
            queue.close();
        }
        assertAcked("jobs.test-dl");
    }

    @Test
    void aResultTheServerDidNotStoreIsRequeuedAndReportedAgain() throws Exception {
        JobQueue queue = new JobQueue(queueConfig("jobs.test-requeue"));
        FakeServer server = new FakeServer();
        server.refusals = 2;
        Thread t = startLoop(queue, server);
        try {
            Await.until(queue::connected, () -> "the worker's queue never connected");
            String id = "21111111-2222-4333-8444-555555555555";
            publish("jobs.test-requeue", job(id));
            ProcessedJob result = server.stored.poll(60, TimeUnit.SECONDS);
            assertEquals(id, result.id());
            assertEquals(2, server.refused.size());
        } finally {
            t.interrupt();
            t.join();
            queue.close();
        }
        assertAcked("jobs.test-requeue");
        assertNull(server.stored.poll(0, TimeUnit.MILLISECONDS));
    }

    /** After the worker's connection closed, an unacked job would be back in the queue. */
    static void assertAcked(String queueName) throws Exception {
        try (Channel ch = connection.createChannel()) {
            assertEquals(0, ch.queueDeclarePassive(queueName).getMessageCount());
        }
    }
}
