package org.cvmfs.suite.notify.relay;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.Recoverable;
import com.rabbitmq.client.RecoveryListener;
import com.rabbitmq.client.impl.recovery.AutorecoveringConnection;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.notify.config.NotifySettings;
import org.cvmfs.suite.notify.service.AcceptedActivity;
import org.jboss.logging.Logger;

/**
 * The relay over RabbitMQ, wire-compatible with upstream's {@code cvmfs-notify} nodes: a durable
 * direct exchange ({@code repository.activity}), routing key = repository name, payload = the
 * message bytes. Each node has one server-named exclusive queue, bound per repository as soon
 * as the node has a reason to care (a subscriber, a publish, a cached entry). Messages carry an
 * origin header so a node skips its own; upstream nodes ignore it.
 *
 * <p>All broker calls run on one thread. The client's automatic recovery re-creates the queue,
 * its bindings and the consumer after a broker restart; publications made meanwhile wait in an
 * outbox that keeps the newest per repository and is flushed, with publisher confirms, once the
 * broker is back. The first connection is retried every few seconds until it succeeds.
 */
public final class RabbitRelay implements ActivityRelay {
    static final String ORIGIN_HEADER = "cvmfs-notify-origin";
    private static final Logger LOG = Logger.getLogger(RabbitRelay.class);
    private static final long RETRY_SECONDS = 5;

    private final ConnectionFactory factory;
    private final String exchange;
    private final String origin = UUID.randomUUID().toString();
    private final Set<String> bound = ConcurrentHashMap.newKeySet();
    private final ConcurrentHashMap<String, AcceptedActivity> outbox = new ConcurrentHashMap<>();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cvmfs-notify-relay");
        t.setDaemon(true);
        return t;
    });

    private volatile Connection connection;
    private Channel consuming;
    private Channel publishing;
    private volatile String queue;
    private Inbound inbound;

    private RabbitRelay(ConnectionFactory factory, String exchange) {
        this.factory = factory;
        this.exchange = exchange;
    }

    public static RabbitRelay create(NotifySettings.Amqp amqp) {
        ConnectionFactory f = new ConnectionFactory();
        f.setHost(amqp.host());
        f.setPort(amqp.port());
        f.setVirtualHost(amqp.vhost());
        amqp.user().ifPresent(f::setUsername);
        amqp.password().ifPresent(f::setPassword);
        f.setRequestedHeartbeat(30);
        f.setConnectionTimeout(5000);
        f.setAutomaticRecoveryEnabled(true);
        f.setTopologyRecoveryEnabled(true);
        f.setNetworkRecoveryInterval(RETRY_SECONDS * 1000);
        return new RabbitRelay(f, amqp.exchange());
    }

    @Override
    public void start(Inbound handler) {
        this.inbound = handler;
        run(this::connect);
    }

    @Override
    public void bind(String repository) {
        if (bound.add(repository)) {
            run(() -> bindNow(repository));
        }
    }

    @Override
    public void publish(AcceptedActivity p) {
        outbox.merge(p.repository(), p, (old, neu) -> neu.sequence() >= old.sequence() ? neu : old);
        run(this::flush);
    }

    @Override
    public boolean connected() {
        Connection c = connection;
        return c != null && c.isOpen();
    }

    @Override
    public void stop() {
        worker.shutdownNow();
        Connection c = connection;
        if (c != null) {
            try {
                c.close(1000);
            } catch (IOException | RuntimeException e) {
                LOG.debugf("closing the broker connection: %s", e.getMessage());
            }
        }
    }

    private void connect() {
        try {
            Connection c = factory.newConnection("cvmfs-notify " + origin);
            ((Recoverable) c).addRecoveryListener(new RecoveryListener() {
                @Override
                public void handleRecovery(Recoverable recoverable) {
                    LOG.infof("broker connection to %s recovered", describe());
                    run(RabbitRelay.this::flush);
                }

                @Override
                public void handleRecoveryStarted(Recoverable recoverable) {
                    LOG.warnf("broker connection to %s lost, recovering", describe());
                }
            });
            ((AutorecoveringConnection) c).addQueueRecoveryListener((oldName, newName) -> queue = newName);
            consuming = c.createChannel();
            consuming.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, true, false, false, null);
            queue = consuming.queueDeclare("", false, true, true, null).getQueue();
            consuming.basicConsume(queue, true, new Consumer(consuming));
            publishing = c.createChannel();
            publishing.confirmSelect();
            connection = c;
            LOG.infof("relaying through exchange %s at %s", exchange, describe());
            bound.forEach(this::bindNow);
            flush();
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.warnf("cannot reach the broker at %s (%s); local delivery continues, retrying in %d s",
                    describe(), e.getMessage(), RETRY_SECONDS);
            try {
                worker.schedule(this::connect, RETRY_SECONDS, TimeUnit.SECONDS);
            } catch (RejectedExecutionException stopping) {
                LOG.debug("relay stopped, no reconnect");
            }
        }
    }

    private void bindNow(String repository) {
        if (connection == null) {
            return; // bound when connect() succeeds
        }
        try {
            consuming.queueBind(queue, exchange, repository);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot bind %s to exchange %s: %s", repository, exchange, e.getMessage());
            bound.remove(repository);
        }
    }

    private void flush() {
        if (connection == null || outbox.isEmpty()) {
            return;
        }
        List<AcceptedActivity> sent = new ArrayList<>();
        try {
            for (AcceptedActivity p : outbox.values()) {
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                        .appId("cvmfs-notify")
                        .headers(Map.of(ORIGIN_HEADER, origin))
                        .build();
                publishing.basicPublish(exchange, p.repository(), props, p.wire());
                sent.add(p);
            }
            publishing.waitForConfirmsOrDie(10_000);
            sent.forEach(p -> outbox.remove(p.repository(), p));
        } catch (IOException | java.util.concurrent.TimeoutException | RuntimeException e) {
            LOG.warnf("relaying %d publication(s) failed (%s); retrying when the broker is back", outbox.size(), e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code task} on the broker thread, unless the relay is stopping. */
    private void run(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException stopping) {
            LOG.debug("relay stopped, task dropped");
        }
    }

    private String describe() {
        return factory.getHost() + ":" + factory.getPort() + factory.getVirtualHost();
    }

    private final class Consumer extends DefaultConsumer {
        Consumer(Channel channel) {
            super(channel);
        }

        @Override
        public void handleDelivery(String tag, Envelope envelope, AMQP.BasicProperties props, byte[] body) {
            Object from = props.getHeaders() == null ? null : props.getHeaders().get(ORIGIN_HEADER);
            if (from != null && origin.equals(from.toString())) {
                return;
            }
            try {
                inbound.accept(envelope.getRoutingKey(), body);
            } catch (RuntimeException e) {
                LOG.warnf("relayed message for %s dropped: %s", envelope.getRoutingKey(), e.getMessage());
            }
        }
    }
}
