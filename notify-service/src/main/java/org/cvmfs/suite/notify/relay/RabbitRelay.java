package org.cvmfs.suite.notify.relay;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DefaultConsumer;
import com.rabbitmq.client.Envelope;
import com.rabbitmq.client.ShutdownSignalException;
import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.cvmfs.suite.notify.config.NotifySettings;
import org.cvmfs.suite.notify.service.ActivityRelay;
import org.cvmfs.suite.notify.service.Publication;
import org.jboss.logging.Logger;

/**
 * The relay over RabbitMQ, wire-compatible with upstream's {@code cvmfs-notify} nodes: a durable
 * direct exchange ({@code repository.activity}), routing key = repository name, payload = the
 * message bytes. Messages carry an origin header so a node skips its own; upstream nodes ignore it.
 *
 * <p><b>Delivery across a broker restart: one durable queue per node.</b> Each node consumes
 * from a queue of its own that is server-named ({@code amq.gen-...}, which upstream's
 * {@code worker} account may declare), durable, not exclusive, and expires
 * ({@code x-expires}) once nobody has consumed from it for {@code queue-expiry}. Its bindings
 * are durable too, so a broker that restarts routes to every node's queue from its first
 * second, before any node is back: a publication that node A accepted while the broker was away,
 * and flushes from its outbox as soon as the broker returns, waits in node B's queue until B
 * re-attaches to it by name and consumes it, in whatever order the nodes reconnect.
 * Publications are persistent, so a second restart meanwhile keeps them. Rejected
 * alternatives: a mandatory publish is returned only when no queue at all takes it, so with
 * one peer re-bound and another not it still reaches one and is lost for the other; a resync on
 * recovery needs to know when every peer is back, which no node knows. Limits: a node away for
 * longer than {@code queue-expiry}, or a broker that lost its definitions, gets a new queue and
 * misses what was routed meanwhile (it learns the next publication); a queue holds at most
 * {@link #QUEUE_MAX_LENGTH} messages, dropping the oldest.
 *
 * <p><b>Never quietly deaf.</b> The relay keeps its connection and its two channels (consume,
 * publish) itself instead of through the client's automatic recovery, which rebuilds channels
 * only after the connection dropped. Any of them that closes (broker gone, an exchange deleted
 * under us, a publisher confirm that does not come within {@code confirm-timeout}, which makes
 * the relay give the channel up) is reopened after {@code retry-interval}, and the exchange,
 * queue, every binding and the consumer are set up again. Readiness ({@link #connected()}) is
 * true only while the connection and both channels are open and the consumer is registered.
 * Confirms are awaited per message: a nack (a queue that refuses it) keeps the publication in the
 * outbox, which holds the newest per repository, for a retry; the others go on.
 *
 * <p><b>Bounded bindings.</b> A repository is bound while the node follows it
 * ({@link ActivityRelay.Interest}: local subscribers or a cached publication); when its last
 * subscriber leaves the relay asks again and unbinds what is no longer followed. At most
 * {@code max-bindings} are followed; {@link #follow} refuses a new one beyond that.
 *
 * <p>All broker calls but acknowledgements run on one thread.
 */
public final class RabbitRelay implements ActivityRelay {
    static final String ORIGIN_HEADER = "cvmfs-notify-origin";
    /** Messages kept for a node that is away: far above one per repository, so a node misses none. */
    static final int QUEUE_MAX_LENGTH = 10_000;
    private static final Logger LOG = Logger.getLogger(RabbitRelay.class);

    private final ConnectionFactory factory;
    private final String exchange;
    private final long retryMillis;
    private final long confirmTimeoutMillis;
    private final int queueExpiryMillis;
    private final int maxBindings;
    private final String origin = UUID.randomUUID().toString();
    private final ConcurrentHashMap<String, Publication> outbox = new ConcurrentHashMap<>();
    /** What the node follows or is about to: the bound is checked against it. */
    private final Set<String> followed = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean repairScheduled = new AtomicBoolean();
    private final AtomicBoolean flushScheduled = new AtomicBoolean();
    private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "cvmfs-notify-relay");
        t.setDaemon(true);
        return t;
    });

    // written on the worker thread only; volatile for connected()
    private volatile Connection connection;
    private volatile Channel consuming;
    private volatile Channel publishing;
    private volatile boolean consumerRegistered;
    private volatile boolean stopping;
    // worker thread only
    private String queue;
    private final Set<String> bound = new HashSet<>();
    private boolean failing;
    private Inbound inbound;
    private Interest interest;

    private RabbitRelay(ConnectionFactory factory, NotifySettings.Amqp amqp) {
        this.factory = factory;
        this.exchange = amqp.exchange();
        this.retryMillis = amqp.retryInterval().toMillis();
        this.confirmTimeoutMillis = amqp.confirmTimeout().toMillis();
        this.queueExpiryMillis = (int) Math.min(Integer.MAX_VALUE, amqp.queueExpiry().toMillis());
        this.maxBindings = amqp.maxBindings();
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
        // a stalled broker must not hold the relay's thread in a channel close for the default 10 minutes
        f.setChannelRpcTimeout((int) Math.max(1000, amqp.confirmTimeout().toMillis()));
        f.setAutomaticRecoveryEnabled(false);
        f.setTopologyRecoveryEnabled(false);
        return new RabbitRelay(f, amqp);
    }

    @Override
    public void start(Inbound handler, Interest nodeInterest) {
        this.inbound = handler;
        this.interest = nodeInterest;
        run(this::repair);
    }

    @Override
    public boolean follow(String repository) {
        synchronized (followed) {
            if (!followed.contains(repository)) {
                if (followed.size() >= maxBindings) {
                    return false;
                }
                followed.add(repository);
            }
        }
        run(() -> keepBinding(repository));
        return true;
    }

    @Override
    public void release(String repository) {
        run(() -> keepBinding(repository));
    }

    @Override
    public void publish(Publication p) {
        outbox.merge(p.repository(), p, (old, neu) -> neu.sequence() >= old.sequence() ? neu : old);
        run(this::flush);
    }

    @Override
    public boolean connected() {
        return !stopping && isOpen(connection) && isOpen(consuming) && isOpen(publishing) && consumerRegistered;
    }

    /** Leaves the exchange: this node's queue is deleted (another node start gets a new one). */
    @Override
    public void stop() {
        stopping = true;
        run(() -> {
            Channel ch = consuming;
            if (isOpen(ch) && queue != null) {
                try {
                    ch.queueDelete(queue);
                } catch (IOException | RuntimeException e) {
                    LOG.debugf("deleting queue %s: %s", queue, e.getMessage());
                }
            }
        });
        worker.shutdown();
        try {
            if (!worker.awaitTermination(5, TimeUnit.SECONDS)) {
                worker.shutdownNow();
            }
        } catch (InterruptedException e) {
            worker.shutdownNow();
            Thread.currentThread().interrupt();
        }
        Connection c = connection;
        if (c != null) {
            c.abort(1000);
        }
    }

    /** Worker: binds a followed repository on the current queue, or unbinds one no longer followed. */
    private void keepBinding(String repository) {
        if (interest == null) {
            return; // not started: start() binds what is followed by then
        }
        if (interest.follows(repository)) {
            followed.add(repository);
            if (isOpen(consuming) && !bound.contains(repository)) {
                bind(repository);
            }
            return;
        }
        followed.remove(repository);
        if (bound.remove(repository) && isOpen(consuming)) {
            try {
                consuming.queueUnbind(queue, exchange, repository);
                LOG.debugf("unbound %s: no subscriber and nothing cached", repository);
            } catch (IOException | RuntimeException e) {
                LOG.warnf("cannot unbind %s from exchange %s: %s", repository, exchange, e.getMessage());
                scheduleRepair();
            }
        }
    }

    private void bind(String repository) {
        try {
            consuming.queueBind(queue, exchange, repository);
            bound.add(repository);
        } catch (IOException | RuntimeException e) {
            LOG.warnf("cannot bind %s to exchange %s: %s", repository, exchange, e.getMessage());
            scheduleRepair();
        }
    }

    /** Worker: (re)opens whatever is closed, sets the topology up again and flushes the outbox. */
    private void repair() {
        repairScheduled.set(false);
        if (stopping) {
            return;
        }
        try {
            if (!isOpen(connection)) {
                abort(connection);
                Connection c = factory.newConnection("cvmfs-notify " + origin);
                c.addShutdownListener(cause -> closed(c == connection, "connection", cause));
                connection = c;
            }
            if (!isOpen(consuming) || !consumerRegistered) {
                consumerRegistered = false;
                abort(consuming);
                consuming = openConsuming();
            }
            if (!isOpen(publishing)) {
                Channel ch = openChannel("publishing channel");
                ch.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, true, false, false, null);
                ch.confirmSelect();
                publishing = ch;
            }
            // bindings are lost with a deleted exchange even while our channels stay open
            bound.clear();
            for (String repository : List.copyOf(followed)) {
                keepBinding(repository);
            }
            if (failing || !consumerRegistered) {
                LOG.infof("relaying through exchange %s at %s, queue %s", exchange, describe(), queue);
            }
            consumerRegistered = true;
            failing = false;
            flush();
        } catch (IOException | TimeoutException | RuntimeException e) {
            if (!failing) {
                LOG.warnf("the broker at %s is not usable (%s); local delivery continues, retrying every %d ms",
                        describe(), e.getMessage(), retryMillis);
            } else {
                LOG.debugf("broker at %s still not usable: %s", describe(), e.getMessage());
            }
            failing = true;
            scheduleRepair();
        }
    }

    /**
     * The consuming channel, attached to this node's queue: the same queue as before when the
     * broker still has it (what was routed to it meanwhile is delivered now), else a new one.
     */
    private Channel openConsuming() throws IOException {
        Channel ch = openChannel("consuming channel");
        ch.exchangeDeclare(exchange, BuiltinExchangeType.DIRECT, true, false, false, null);
        boolean attached = false;
        if (queue != null) {
            try {
                ch.queueDeclarePassive(queue);
                attached = true;
            } catch (IOException gone) {
                LOG.warnf("queue %s is gone (expired, or the broker lost its definitions); publications"
                        + " routed to it meanwhile are lost for this node", queue);
                ch = openChannel("consuming channel");
            }
        }
        if (!attached) {
            queue = ch.queueDeclare("", true, false, false,
                    Map.of("x-expires", queueExpiryMillis, "x-max-length", QUEUE_MAX_LENGTH)).getQueue();
        }
        ch.basicQos(256);
        ch.basicConsume(queue, false, new Consumer(ch));
        return ch;
    }

    private Channel openChannel(String what) throws IOException {
        Channel ch = connection.createChannel();
        ch.addShutdownListener(cause -> closed(ch == consuming || ch == publishing, what, cause));
        return ch;
    }

    /** A shutdown listener: a current connection or channel closed by someone else is repaired. */
    private void closed(boolean current, String what, ShutdownSignalException cause) {
        if (stopping || !current || cause.isInitiatedByApplication()) {
            return;
        }
        LOG.warnf("%s to %s closed: %s", what, describe(), cause.getMessage());
        scheduleRepair();
    }

    /** Worker: sends the outbox, one confirm at a time, keeping what the broker refused. */
    private void flush() {
        if (outbox.isEmpty()) {
            return;
        }
        Channel ch = publishing;
        if (!isOpen(ch)) {
            scheduleRepair();
            return;
        }
        boolean refused = false;
        try {
            for (Publication p : List.copyOf(outbox.values())) {
                AMQP.BasicProperties props = new AMQP.BasicProperties.Builder()
                        .appId("cvmfs-notify")
                        .deliveryMode(2)
                        .headers(Map.of(ORIGIN_HEADER, origin))
                        .build();
                ch.basicPublish(exchange, p.repository(), props, p.wire());
                if (ch.waitForConfirms(confirmTimeoutMillis)) {
                    outbox.remove(p.repository(), p);
                } else {
                    refused = true;
                    LOG.warnf("the broker refused %s (nack); retrying in %d ms", p, retryMillis);
                }
            }
        } catch (TimeoutException e) {
            LOG.warnf("no publisher confirm within %d ms; reopening the publishing channel", confirmTimeoutMillis);
            abort(ch);
            scheduleRepair();
            return;
        } catch (IOException | RuntimeException e) {
            LOG.warnf("relaying %d publication(s) failed (%s); retrying when the channel is reopened",
                    outbox.size(), e.getMessage());
            scheduleRepair();
            return;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        if (refused && flushScheduled.compareAndSet(false, true)) {
            later(() -> {
                flushScheduled.set(false);
                flush();
            });
        }
    }

    private void scheduleRepair() {
        if (!stopping && repairScheduled.compareAndSet(false, true)) {
            later(this::repair);
        }
    }

    private void later(Runnable task) {
        try {
            worker.schedule(task, retryMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException stopped) {
            LOG.debug("relay stopped, nothing rescheduled");
        }
    }

    /** Runs {@code task} on the broker thread, unless the relay is stopping. */
    private void run(Runnable task) {
        try {
            worker.execute(task);
        } catch (RejectedExecutionException stopped) {
            LOG.debug("relay stopped, task dropped");
        }
    }

    private static boolean isOpen(Connection c) {
        return c != null && c.isOpen();
    }

    private static boolean isOpen(Channel ch) {
        return ch != null && ch.isOpen();
    }

    private static void abort(Connection c) {
        if (c != null) {
            c.abort(1000);
        }
    }

    private static void abort(Channel ch) {
        if (ch != null && ch.isOpen()) {
            try {
                ch.abort();
            } catch (IOException | RuntimeException e) {
                LOG.debugf("aborting a channel: %s", e.getMessage());
            }
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
            try {
                Object from = props.getHeaders() == null ? null : props.getHeaders().get(ORIGIN_HEADER);
                if (from == null || !origin.equals(from.toString())) {
                    inbound.accept(envelope.getRoutingKey(), body);
                }
            } catch (RuntimeException e) {
                LOG.warnf("relayed message for %s dropped: %s", envelope.getRoutingKey(), e.getMessage());
            } finally {
                try {
                    getChannel().basicAck(envelope.getDeliveryTag(), false);
                } catch (IOException | RuntimeException e) {
                    LOG.debugf("ack failed (the message comes again): %s", e.getMessage());
                }
            }
        }

        @Override
        public void handleCancel(String consumerTag) {
            if (!stopping && getChannel() == consuming) {
                LOG.warnf("the broker cancelled the consumer of queue %s (queue deleted?)", queue);
                consumerRegistered = false;
                scheduleRepair();
            }
        }
    }
}
