package org.cvmfs.suite.conveyor.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;

/**
 * What the server put on the broker, seen as upstream's clients see it: a consumer on the
 * new-job queue (declared with upstream's flags) and a server-named exclusive auto-delete queue
 * bound to the completion exchange with {@code #} (upstream's waiter topology, spec 6.2). Every
 * message is kept with the time it arrived; tests look them up by job id.
 */
public final class JobMessages implements AutoCloseable {
    /** One delivery: exchange, routing key, properties, JSON body, arrival time. */
    public record Message(String exchange, String routingKey, AMQP.BasicProperties properties, String body,
                          JsonNode json, Instant arrived) {
        public String id() {
            return json.path("ID").asText();
        }
    }

    private final Connection connection;
    private final List<Message> received = new ArrayList<>();

    private JobMessages(Connection connection) {
        this.connection = connection;
    }

    /** Declares upstream's objects with upstream's flags and starts collecting. */
    public static JobMessages collect(ConveyorTestServer.Services s) throws IOException, TimeoutException {
        Connection c = s.amqp().newConnection("conveyor-server-test");
        JobMessages messages = new JobMessages(c);
        Channel ch = c.createChannel();
        ch.basicQos(0, 1, false);
        ch.exchangeDeclare(s.newJobExchange(), BuiltinExchangeType.DIRECT, true, false, false, null);
        ch.exchangeDeclare(s.completedJobExchange(), BuiltinExchangeType.TOPIC, false, false, false, null);
        ch.queueDeclare(s.newJobQueue(), true, false, false, null);
        ch.queueBind(s.newJobQueue(), s.newJobExchange(), "");
        String done = ch.queueDeclare("", false, true, true, null).getQueue();
        ch.queueBind(done, s.completedJobExchange(), "#");
        Channel consumer = c.createChannel();
        consumer.basicQos(0, 0, false);
        DefaultConsumer collector = new DefaultConsumer(consumer) {
            @Override
            public void handleDelivery(String tag, Envelope env, AMQP.BasicProperties props, byte[] body) throws IOException {
                String text = new String(body, StandardCharsets.UTF_8);
                JsonNode json = ConveyorJson.mapper().readTree(text);
                synchronized (messages) {
                    messages.received.add(new Message(env.getExchange(), env.getRoutingKey(), props, text, json, Instant.now()));
                    messages.notifyAll();
                }
                getChannel().basicAck(env.getDeliveryTag(), false);
            }
        };
        consumer.basicConsume(s.newJobQueue(), false, collector);
        consumer.basicConsume(done, false, collector);
        return messages;
    }

    /** Waits (up to a minute: the relay is asynchronous) for the {@code n}-th message on {@code exchange} for job {@code id}. */
    public Message await(String exchange, String id, int n) throws InterruptedException {
        Instant end = Instant.now().plus(Duration.ofSeconds(60));
        synchronized (this) {
            while (true) {
                List<Message> found = all(exchange, id);
                if (found.size() >= n) {
                    return found.get(n - 1);
                }
                long left = Duration.between(Instant.now(), end).toMillis();
                if (left <= 0) {
                    throw new AssertionError("no message #" + n + " for job " + id + " on " + exchange + "; got " + received);
                }
                wait(left);
            }
        }
    }

    public synchronized List<Message> all(String exchange, String id) {
        return received.stream().filter(m -> m.exchange().equals(exchange) && m.id().equals(id)).toList();
    }

    @Override
    public void close() throws IOException {
        connection.abort();
    }
}
