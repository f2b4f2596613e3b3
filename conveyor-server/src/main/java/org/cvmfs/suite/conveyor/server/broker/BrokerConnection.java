package org.cvmfs.suite.conveyor.server.broker;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import io.quarkus.runtime.ShutdownEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.List;
import java.util.concurrent.TimeoutException;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.cvmfs.suite.protocol.conveyor.ConveyorTopology;
import org.jboss.logging.Logger;

/**
 * The server's one AMQP connection, used by one thread (the outbox relay) at a time. Opened
 * lazily and re-opened after any failure (broker restart, closed channel); on every (re)open
 * the topology is declared again. Publications use publisher confirms, so a message counts as
 * sent only once the broker has taken responsibility for it.
 */
@ApplicationScoped
public class BrokerConnection {
    private static final Logger LOG = Logger.getLogger(BrokerConnection.class);

    @Inject
    ConveyorConfig config;

    private Connection connection;
    private Channel channel;

    /** One message to publish: exchange, routing key and the JSON body. */
    public record Message(String exchange, String routingKey, String body) {
    }

    /**
     * Publishes {@code messages} in order with upstream's properties and returns once the broker
     * confirmed every one of them; any nack, timeout or channel failure throws (and resets the
     * connection), in which case the caller must treat all of them as unsent.
     */
    public synchronized void publishAll(List<Message> messages) throws IOException {
        Channel ch = channel();
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .deliveryMode(ConveyorTopology.DELIVERY_MODE_PERSISTENT)
                .contentType(ConveyorTopology.CONTENT_TYPE)
                .timestamp(new Date())
                .build();
        try {
            for (Message m : messages) {
                ch.basicPublish(m.exchange(), m.routingKey(), ConveyorTopology.MANDATORY, false, props,
                        m.body().getBytes(StandardCharsets.UTF_8));
            }
            ch.waitForConfirmsOrDie(10_000);
        } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            reset();
            throw e instanceof IOException io ? io : new IOException("publish not confirmed: " + e, e);
        }
    }

    /** Messages ready in the new-job queue, or -1 when the broker cannot be asked. */
    public synchronized long newJobQueueDepth() {
        try {
            return channel().messageCount(config.queue().newJobQueue());
        } catch (IOException | RuntimeException e) {
            reset();
            return -1;
        }
    }

    public synchronized boolean isOpen() {
        try {
            channel();
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private Channel channel() throws IOException {
        if (channel != null && channel.isOpen() && connection != null && connection.isOpen()) {
            return channel;
        }
        reset();
        ConnectionFactory factory = new ConnectionFactory();
        ConveyorConfig.Queue q = config.queue();
        factory.setHost(q.host());
        factory.setPort(q.port());
        factory.setUsername(q.username());
        factory.setPassword(q.password());
        factory.setVirtualHost(q.vhost());
        factory.setRequestedHeartbeat(10);
        factory.setConnectionTimeout(5000);
        factory.setAutomaticRecoveryEnabled(false);
        try {
            connection = factory.newConnection("conveyor-server");
            channel = connection.createChannel();
            channel.confirmSelect();
            channel.addReturnListener(r -> LOG.debugf("unroutable message to %s/%s", r.getExchange(), r.getRoutingKey()));
            JobTopology.declare(channel, q);
            LOG.infof("connected to RabbitMQ %s:%d vhost %s", q.host(), q.port(), q.vhost());
            return channel;
        } catch (IOException | TimeoutException | RuntimeException e) {
            reset();
            throw e instanceof IOException io ? io : new IOException("cannot connect to RabbitMQ: " + e, e);
        }
    }

    private void reset() {
        try {
            if (connection != null) {
                connection.abort(1000);
            }
        } catch (RuntimeException ignored) {
            // already gone
        }
        connection = null;
        channel = null;
    }

    void close(@Observes ShutdownEvent event) {
        synchronized (this) {
            try {
                if (connection != null && connection.isOpen()) {
                    connection.close(2000);
                }
            } catch (IOException | RuntimeException ignored) {
                // shutting down
            }
            connection = null;
            channel = null;
        }
    }
}
