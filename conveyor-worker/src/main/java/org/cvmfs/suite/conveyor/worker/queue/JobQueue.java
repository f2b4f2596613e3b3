package org.cvmfs.suite.conveyor.worker.queue;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.cvmfs.suite.protocol.conveyor.ConveyorTopology;
import org.jboss.logging.Logger;

/**
 * The worker's side of the broker (spec 6): one connection, one channel with prefetch 1, upstream's
 * declarations with upstream's flags (so an upstream process on the same broker gets no 406),
 * plus our dead-letter exchange and queue {@value ConveyorTopology#DEAD_LETTER_EXCHANGE} (fanout,
 * durable; new names, so no upstream object conflicts). Deliveries are handed to the worker loop
 * through {@link #next}; acks and nacks go back through this class. The client's automatic
 * recovery reconnects after a broker restart and re-declares and re-consumes; an ack for a
 * delivery of the lost channel is then dropped by the client, and the broker redelivers it.
 * Unlike upstream, the worker does not declare a completion queue: the server schedules
 * dependencies, so there is nothing to wait for.
 */
public final class JobQueue implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(JobQueue.class);

    /** One message taken from {@code jobs.new}. */
    public record Delivery(long tag, boolean redelivered, AMQP.BasicProperties properties, byte[] body) {
    }

    private final ConveyorConfig.Queue config;
    private final BlockingQueue<Delivery> deliveries = new LinkedBlockingQueue<>();
    private volatile Connection connection;
    private volatile Channel channel;
    private volatile String consumerTag;

    public JobQueue(ConveyorConfig.Queue config) {
        this.config = config;
    }

    /** Connects (retrying until interrupted), declares and starts consuming. */
    public void connect() throws InterruptedException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(config.host());
        factory.setPort(config.port());
        factory.setUsername(config.username());
        factory.setPassword(config.password());
        factory.setVirtualHost(config.vhost());
        factory.setRequestedHeartbeat(10);
        factory.setAutomaticRecoveryEnabled(true);
        factory.setTopologyRecoveryEnabled(true);
        factory.setNetworkRecoveryInterval(1000);
        while (true) {
            try {
                Connection c = factory.newConnection("conveyor-worker");
                Channel ch = c.createChannel();
                declare(ch, config);
                ch.basicQos(ConveyorTopology.PREFETCH_COUNT);
                ((Recoverable) c).addRecoveryListener(new RecoveryListener() {
                    @Override
                    public void handleRecovery(Recoverable recoverable) {
                        LOG.info("connection to job queue recovered");
                    }

                    @Override
                    public void handleRecoveryStarted(Recoverable recoverable) {
                        LOG.warn("connection to job queue lost; reconnecting");
                    }
                });
                connection = c;
                channel = ch;
                consumerTag = ch.basicConsume(config.newJobQueue(), false, new DefaultConsumer(ch) {
                    @Override
                    public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties properties, byte[] body) {
                        deliveries.add(new Delivery(envelope.getDeliveryTag(), envelope.isRedeliver(), properties, body));
                    }

                    @Override
                    public void handleShutdownSignal(String tag, ShutdownSignalException sig) {
                        if (!sig.isInitiatedByApplication()) {
                            LOG.warnf("job queue channel closed: %s", sig.getMessage());
                        }
                    }
                });
                return;
            } catch (IOException | TimeoutException e) {
                LOG.warnf("cannot connect to RabbitMQ at %s:%d (%s); retrying", config.host(), config.port(), e.getMessage());
                Thread.sleep(2000);
            }
        }
    }

    /** Upstream's consumer declarations (spec 6.2) for the new-job side, and the dead-letter objects. */
    public static void declare(Channel ch, ConveyorConfig.Queue q) throws IOException {
        ch.exchangeDeclare(q.newJobExchange(), ConveyorTopology.NEW_JOB_EXCHANGE_KIND,
                ConveyorTopology.NEW_JOB_EXCHANGE_DURABLE, false, false, null);
        ch.exchangeDeclare(q.completedJobExchange(), ConveyorTopology.COMPLETED_JOB_EXCHANGE_KIND,
                ConveyorTopology.COMPLETED_JOB_EXCHANGE_DURABLE, false, false, null);
        ch.queueDeclare(q.newJobQueue(), ConveyorTopology.NEW_JOB_QUEUE_DURABLE, false, false, null);
        ch.queueBind(q.newJobQueue(), q.newJobExchange(), ConveyorTopology.NEW_JOB_ROUTING_KEY);
        String dead = deadLetterName(q);
        ch.exchangeDeclare(dead, "fanout", true, false, false, null);
        ch.queueDeclare(dead, true, false, false, null);
        ch.queueBind(dead, dead, "");
    }

    /** As the server names it: {@code jobs.dead}, or {@code <new_job_queue>.dead} for a configured queue name. */
    public static String deadLetterName(ConveyorConfig.Queue q) {
        return ConveyorTopology.NEW_JOB_QUEUE.equals(q.newJobQueue())
                ? ConveyorTopology.DEAD_LETTER_QUEUE : q.newJobQueue() + ".dead";
    }

    /** The next delivery, or null after {@code timeoutMillis}. */
    public Delivery next(long timeoutMillis) throws InterruptedException {
        return deliveries.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    }

    public boolean connected() {
        Connection c = connection;
        return c != null && c.isOpen();
    }

    public synchronized void ack(Delivery d) {
        try {
            channel.basicAck(d.tag(), false);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not ack delivery %d (%s); the broker will deliver it again", d.tag(), e.getMessage());
        }
    }

    public synchronized void requeue(Delivery d) {
        try {
            channel.basicNack(d.tag(), false, true);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("could not requeue delivery %d (%s); the broker will deliver it again", d.tag(), e.getMessage());
        }
    }

    /**
     * Copies an undecodable message to the dead-letter exchange with the reason in header
     * {@code x-conveyor-error}, then acks it. Publisher confirms make sure the copy is on the
     * broker before the original goes; if not, the original is requeued instead.
     */
    public synchronized boolean deadLetter(Delivery d, String reason) {
        Map<String, Object> headers = new HashMap<>();
        if (d.properties() != null && d.properties().getHeaders() != null) {
            headers.putAll(d.properties().getHeaders());
        }
        headers.put("x-conveyor-error", reason);
        AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                .contentType(d.properties() == null ? null : d.properties().getContentType())
                .deliveryMode(ConveyorTopology.DELIVERY_MODE_PERSISTENT)
                .timestamp(new Date()).headers(headers).build();
        try (Channel confirm = connection.createChannel()) {
            confirm.confirmSelect();
            confirm.basicPublish(deadLetterName(config), "", props, d.body());
            confirm.waitForConfirmsOrDie(10_000);
        } catch (IOException | TimeoutException | InterruptedException | RuntimeException e) {
            LOG.errorf("could not dead-letter delivery %d: %s", d.tag(), e.getMessage());
            requeue(d);
            return false;
        }
        ack(d);
        return true;
    }

    /** Stops taking new deliveries; those handed over but not started go back to the queue. */
    public synchronized void stopConsuming() {
        try {
            if (channel != null && consumerTag != null && channel.isOpen()) {
                channel.basicCancel(consumerTag);
            }
        } catch (IOException | RuntimeException e) {
            LOG.debugf("cancel consumer: %s", e.getMessage());
        }
        Delivery d;
        while ((d = deliveries.poll()) != null) {
            requeue(d);
        }
    }

    @Override
    public void close() {
        Connection c = connection;
        if (c != null) {
            try {
                c.close(5000);
            } catch (IOException | RuntimeException e) {
                LOG.debugf("close: %s", e.getMessage());
            }
        }
    }
}
