package org.cvmfs.suite.protocol.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for what a service does asynchronously (polling, never a timed assertion: the limit is a
 * generous bound against hanging, not a speed claim), then fails with {@code what} if it never
 * happened. Readiness of a listening port is {@link FreePorts#awaitListening}.
 */
public final class Await {
    /** The bound when the caller names none: far above anything a healthy run needs. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(60);

    private Await() {
    }

    public static void until(BooleanSupplier condition, Supplier<String> what) throws InterruptedException {
        until(condition, DEFAULT_LIMIT, what);
    }

    public static void until(BooleanSupplier condition, Duration limit, Supplier<String> what)
            throws InterruptedException {
        if (!poll(condition, limit)) {
            throw new AssertionError(what.get() + " (waited " + limit + ")");
        }
    }

    /** True as soon as {@code condition} holds, false if it still does not after {@code limit}. */
    public static boolean poll(BooleanSupplier condition, Duration limit) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return condition.getAsBoolean();
            }
            Thread.sleep(10);
        }
        return true;
    }
}
