package org.cvmfs.suite.conveyor.server.service;

import java.time.Duration;

/**
 * Server-side retries (upstream retries inside the worker, at once and for every failure): a
 * failed attempt the worker marked {@code Retryable} is queued again after 1 s, 2 s, 4 s, ...
 * (capped at 5 min) while fewer than {@code job_retries} retries were made. A script that
 * exited non-zero is never marked retryable by our worker.
 */
public record RetryPolicy(int jobRetries, Duration firstDelay, Duration maxDelay) {
    public static RetryPolicy of(int jobRetries) {
        return new RetryPolicy(jobRetries, Duration.ofSeconds(1), Duration.ofMinutes(5));
    }

    /** True when a job that made {@code attempts} attempts may make another. */
    public boolean mayRetry(int attempts) {
        return attempts <= jobRetries;
    }

    /** The pause before attempt {@code attempts + 1}. */
    public Duration delayAfter(int attempts) {
        Duration d = firstDelay.multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 20));
        return d.compareTo(maxDelay) > 0 ? maxDelay : d;
    }
}
