package org.cvmfs.suite.notify.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.cvmfs.suite.notify.service.NotificationService;

/**
 * Waits (at most 30 s, polling through common-protocol's {@code testing.Await}) for what the
 * service does asynchronously, then asserts it with the notify-specific wording.
 */
public final class Await {
    private static final Duration LIMIT = Duration.ofSeconds(30);

    private Await() {
    }

    /**
     * The condition is asked until it holds, and not once more after that: a condition that
     * opens a connection (or otherwise acts) may not hold twice in a row.
     */
    public static void until(BooleanSupplier condition, String what) throws InterruptedException {
        assertTrue(poll(condition), what);
    }

    /** Subscriptions register and unregister on event-loop threads, after the client saw its answer. */
    public static void subscribers(NotificationService service, String repository, int expected)
            throws InterruptedException {
        poll(() -> service.subscriberCount(repository) == expected);
        assertEquals(expected, service.subscriberCount(repository), "subscribers of " + repository);
    }

    /** The first answer of {@code probe} that is not null, asked every {@code interval}; fails with {@code what}. */
    public static <T> T value(org.cvmfs.suite.protocol.testing.Await.Probe<T> probe, Duration interval, String what)
            throws Exception {
        return org.cvmfs.suite.protocol.testing.Await.value(probe, LIMIT, interval, () -> what);
    }

    private static boolean poll(BooleanSupplier condition) throws InterruptedException {
        return org.cvmfs.suite.protocol.testing.Await.poll(condition, LIMIT);
    }
}
