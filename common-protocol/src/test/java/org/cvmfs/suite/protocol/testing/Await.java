package org.cvmfs.suite.protocol.testing;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for what a service does asynchronously (polling, never a timed assertion: the limit is a
 * generous bound against hanging, not a speed claim), then fails with {@code what} if it never
 * happened. Readiness of a listening port is {@link FreePorts#awaitListening}. A probe is asked
 * until it answers and not once more after that: a probe that acts (publishes, submits, takes a
 * message) may not answer twice in a row.
 */
public final class Await {
    /** The bound when the caller names none: far above anything a healthy run needs. */
    public static final Duration DEFAULT_LIMIT = Duration.ofSeconds(60);
    /** The pause between two questions when the caller names none. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofMillis(10);

    /** A question that may fail (an exception ends the wait) and answers {@code null} for "not yet". */
    @FunctionalInterface
    public interface Probe<T> {
        T get() throws Exception;
    }

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
        return poll(condition, limit, DEFAULT_INTERVAL);
    }

    /** As {@link #poll(BooleanSupplier, Duration)}, asking every {@code interval}. */
    public static boolean poll(BooleanSupplier condition, Duration limit, Duration interval) throws InterruptedException {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            Thread.sleep(interval.toMillis());
        }
        return true;
    }

    /**
     * The first answer of {@code probe} that is not {@code null}, asked every {@code interval};
     * fails with {@code what} after {@code limit}. An exception from the probe ends the wait: a
     * probe that expects transient failures (a restarting service) catches them and answers null.
     */
    public static <T> T value(Probe<T> probe, Duration limit, Duration interval, Supplier<String> what) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        for (T answer = probe.get(); ; answer = probe.get()) {
            if (answer != null) {
                return answer;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError(what.get() + " (waited " + limit + ")");
            }
            Thread.sleep(interval.toMillis());
        }
    }

    /** As {@link #value(Probe, Duration, Duration, Supplier)} with {@link #DEFAULT_INTERVAL}. */
    public static <T> T value(Probe<T> probe, Duration limit, Supplier<String> what) throws Exception {
        return value(probe, limit, DEFAULT_INTERVAL, what);
    }
}
