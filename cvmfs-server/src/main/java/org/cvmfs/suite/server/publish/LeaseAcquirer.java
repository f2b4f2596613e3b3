package org.cvmfs.suite.server.publish;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.cvmfs.suite.protocol.gateway.GatewayException;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;

/**
 * Acquires a gateway lease on a subtree, as {@code cvmfs_server transaction -t} and
 * {@code ingest --lease-timeout} do: while the path is busy it retries with jittered exponential
 * backoff (0.5 s doubling up to 5 s) until the deadline, forever for a zero duration, not at all
 * without one. A busy path ends in upstream's words "lease path busy", which scripts match.
 */
final class LeaseAcquirer {
    private static final Duration FIRST_RETRY_DELAY = Duration.ofMillis(500);
    private static final Duration MAX_RETRY_DELAY = Duration.ofSeconds(5);

    private final PublisherContext context;

    LeaseAcquirer(PublisherContext context) {
        this.context = context;
    }

    /** Returns the session token of the new lease. */
    String acquire(RepositoryPath leasePath, Optional<Duration> retryFor) {
        PublisherSettings settings = context.settings();
        LeasePath lease = new LeasePath(settings.repository(), "/" + leasePath.relative());
        Instant deadline = retryFor.filter(d -> !d.isZero()).map(d -> context.clock().instant().plus(d)).orElse(null);
        Duration delay = Duration.ZERO;
        while (true) {
            GatewayReply reply;
            try {
                reply = context.gateway().acquire(lease, settings.hostname());
            } catch (GatewayException e) {
                throw new PublisherException(PublisherException.FAILED, "cannot acquire lease: " + e.getMessage(), e);
            }
            if (reply.isOk() && reply.sessionToken() != null && !reply.sessionToken().isEmpty()) {
                return reply.sessionToken();
            }
            if (!reply.isPathBusy()) {
                throw new PublisherException(PublisherException.FAILED, "cannot parse session token: gateway answered "
                        + reply.status() + (reply.reason() == null ? "" : " (" + reply.reason() + ")"));
            }
            String busy = "lease path busy: " + lease.toWire()
                    + (reply.timeRemaining() == null ? "" : " (time remaining: " + reply.timeRemaining() + ")");
            if (retryFor.isEmpty() || (deadline != null && !context.clock().instant().plus(delay).isBefore(deadline))) {
                throw new PublisherException(PublisherException.BUSY, busy);
            }
            context.say(busy + ", retrying");
            sleep(delay);
            delay = nextDelay(delay);
        }
    }

    /** Doubles up to the maximum, then draws from the upper half so that waiting publishers spread out. */
    static Duration nextDelay(Duration delay) {
        Duration next = delay.isZero() ? FIRST_RETRY_DELAY : delay.multipliedBy(2);
        next = next.compareTo(MAX_RETRY_DELAY) > 0 ? MAX_RETRY_DELAY : next;
        return Duration.ofMillis(ThreadLocalRandom.current().nextLong(next.toMillis() / 2, next.toMillis() + 1));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PublisherException(PublisherException.FAILED, "interrupted while waiting for the lease", e);
        }
    }
}
