package org.cvmfs.suite.gateway.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.cvmfs.suite.gateway.receiver.Backend;
import org.cvmfs.suite.gateway.receiver.CommitResult;
import org.cvmfs.suite.gateway.receiver.Receiver;
import org.cvmfs.suite.gateway.receiver.ReceiverException;
import org.cvmfs.suite.gateway.receiver.TagSpec;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.lease.PublishStatistics;
import org.cvmfs.suite.gateway.receiver.PayloadReceiver;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.gateway.GatewayJson;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.jboss.logging.Logger;

/**
 * The optional backend: payloads and commits done by upstream's {@code cvmfs_receiver}, one
 * fresh process per task, at most {@code num_receivers} at once, as the Go gateway runs it.
 * Unlike the Go gateway, every task is bounded by {@code max_lease_time} (a stuck receiver is
 * killed, cvmfs#3400) and a receiver is never asked to quit while it has payload bytes unread.
 */
@Singleton
@Backend(GatewayUserConfig.BACKEND_UPSTREAM)
public class UpstreamReceiver implements Receiver, PayloadReceiver {
    private static final Logger LOG = Logger.getLogger(UpstreamReceiver.class);
    private static final DateTimeFormatter START_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final String PAYLOAD_TASK = "payload submission";
    private static final String COMMIT_TASK = "commit";
    private static final int COPY_GRACE_SECONDS = 5;

    private final Path executable;
    private final Duration timeout;
    private final Semaphore workers;
    private final LeaseService leases;
    private final ExecutorService copiers = Executors.newCachedThreadPool(daemon("receiver-payload"));
    private final ScheduledExecutorService watchdog = Executors.newSingleThreadScheduledExecutor(daemon("receiver-watchdog"));

    @Inject
    public UpstreamReceiver(GatewaySettings settings, LeaseService leases) {
        this.executable = settings.user().receiverPath();
        this.timeout = settings.user().maxLeaseTime();
        this.workers = new Semaphore(settings.user().numReceivers(), true);
        this.leases = leases;
    }

    @PreDestroy
    void shutdown() {
        copiers.shutdownNow();
        watchdog.shutdownNow();
    }

    @Override
    public PublishStatistics receive(Lease lease, String payloadDigest, int headerSize, InputStream pack) {
        ObjectNode message = GatewayJson.mapper().createObjectNode()
                .put("path", lease.path().combined())
                .put("digest", payloadDigest)
                .put("header_size", headerSize);
        JsonNode reply = run(PAYLOAD_TASK, ReceiverProcess.OP_SUBMIT_PAYLOAD, message, pack);
        JsonNode publish = reply.path("statistics").path("publish");
        if (publish.isMissingNode()) {
            return PublishStatistics.NONE;
        }
        return GatewayJson.mapper().convertValue(publish, PublishStatistics.class);
    }

    @Override
    public CommitResult commit(Lease lease, ContentHash oldRoot, ContentHash newRoot, TagSpec tag) {
        ObjectNode message = GatewayJson.mapper().createObjectNode()
                .put("lease_path", lease.path().combined())
                .put("old_root_hash", oldRoot.toSuffixedText())
                .put("new_root_hash", newRoot.toSuffixedText())
                .put("tag_name", tag.name())
                .put("tag_description", tag.description());
        ObjectNode statistics = message.putObject("statistics");
        statistics.set("publish", GatewayJson.mapper().valueToTree(leases.statistics(lease)));
        statistics.put("start_time", START_TIME.format(leases.acquiredAt(lease).atZone(ZoneId.systemDefault())));
        JsonNode reply = run(COMMIT_TASK, ReceiverProcess.OP_COMMIT, message, null);
        JsonNode revision = reply.get("final_revision");
        if (revision == null || !revision.canConvertToLong()) {
            throw new ReceiverException("worker 'commit' call failed: reply without final_revision");
        }
        return new CommitResult(revision.asLong());
    }

    private JsonNode run(String task, int op, ObjectNode message, InputStream payload) {
        try {
            workers.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReceiverException("worker '" + task + "' call failed: interrupted");
        }
        try {
            return runProcess(task, op, GatewayJson.write(message), payload);
        } finally {
            workers.release();
        }
    }

    private JsonNode runProcess(String task, int op, byte[] message, InputStream payload) {
        ReceiverProcess receiver;
        try {
            receiver = ReceiverProcess.start(executable);
        } catch (IOException e) {
            throw new ReceiverException("worker '" + task + "' call failed: cannot start " + executable + ": "
                    + e.getMessage(), e);
        }
        ScheduledFuture<?> deadline = watchdog.schedule(() -> {
            LOG.warnf("receiver %d exceeded %ds on %s; killing it", receiver.pid(), timeout.toSeconds(), task);
            receiver.kill();
        }, timeout.toSeconds(), TimeUnit.SECONDS);
        Future<?> copy = null;
        try {
            receiver.send(op, message);
            if (payload != null) {
                copy = copiers.submit(() -> copyPayload(payload, receiver));
            }
            byte[] reply = receiver.receive();
            if (copy == null || copiedAll(copy)) {
                quit(receiver);
            } else {
                // it answered before taking all the bytes (a refused pack): never leave it reading
                receiver.kill();
            }
            return decode(task, reply);
        } catch (EOFException e) {
            throw new ReceiverException("worker '" + task + "' call failed: possible that the receiver crashed: "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new ReceiverException("worker '" + task + "' call failed: " + e.getMessage(), e);
        } finally {
            deadline.cancel(false);
            if (copy != null) {
                copy.cancel(true);
            }
            receiver.close();
        }
    }

    /** The task's answer is in; a receiver that will not quit cleanly is simply ended. */
    private static void quit(ReceiverProcess receiver) {
        try {
            receiver.quit();
        } catch (IOException e) {
            LOG.debugf("receiver %d did not quit cleanly: %s", receiver.pid(), e.getMessage());
            receiver.kill();
        }
    }

    /** Gives the copy a moment to deliver its last bytes after the receiver answered. */
    private static boolean copiedAll(Future<?> copy) {
        try {
            copy.get(COPY_GRACE_SECONDS, TimeUnit.SECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void copyPayload(InputStream payload, ReceiverProcess receiver) {
        OutputStream to = receiver.requestStream();
        try {
            payload.transferTo(to);
            to.flush();
        } catch (IOException e) {
            // publisher gone or receiver stopped reading: either way this task is over
            LOG.debugf("payload copy to receiver %d ended: %s", receiver.pid(), e.getMessage());
            receiver.kill();
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode decode(String task, byte[] reply) {
        JsonNode json;
        try {
            json = GatewayJson.mapper().readTree(reply);
        } catch (IOException e) {
            throw new ReceiverException("worker '" + task + "' call failed: unreadable reply '"
                    + ReceiverProcess.text(reply) + "'", e);
        }
        if (json == null || !"ok".equals(json.path("status").asText())) {
            String reason = json == null ? "" : json.path("reason").asText("");
            throw new ReceiverException(reason.isEmpty() ? "worker '" + task + "' failed without a reason" : reason);
        }
        return json;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
