package org.cvmfs.suite.protocol.repository.gc;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What {@link GarbageCollector} keeps, as {@code cvmfs_server gc} takes it.
 *
 * @param preserveRevisions {@code -r N}: the head and the N trunk revisions before it
 * @param preserveSince     {@code -t TIME}: the head and every trunk revision published at or after
 *                          TIME (upstream's default when neither is given: three days ago)
 * @param dryRun            {@code -d}: report, delete nothing
 * @param grace             objects, upload leftovers ({@code data/txn}) and spool scratch younger
 *                          than this are never touched: a payload or commit may still be writing
 *                          them (the gateway passes its lease time)
 */
public record GcOptions(OptionalInt preserveRevisions, Optional<Instant> preserveSince, boolean dryRun,
                        Duration grace) {
    /** Upstream's default time threshold. */
    public static final Duration DEFAULT_AGE = Duration.ofDays(3);

    public GcOptions {
        Objects.requireNonNull(preserveRevisions, "preserve revisions");
        Objects.requireNonNull(preserveSince, "preserve since");
        Objects.requireNonNull(grace, "grace");
        if (preserveRevisions.isPresent() && preserveSince.isPresent()) {
            throw new IllegalArgumentException("Please specify either timestamp OR revision thresholds"
                    + " (-r and -t are mutual exclusive)");
        }
        if (preserveRevisions.isPresent() && preserveRevisions.getAsInt() < 0) {
            throw new IllegalArgumentException("the number of revisions to preserve is negative");
        }
        if (grace.isNegative()) {
            throw new IllegalArgumentException("negative grace period");
        }
    }

    /** Neither {@code -r} nor {@code -t}: keep what was published in the last three days. */
    public static GcOptions upstreamDefault(Clock clock, Duration grace) {
        return new GcOptions(OptionalInt.empty(), Optional.of(clock.instant().minus(DEFAULT_AGE)), false, grace);
    }

    public static GcOptions keepRevisions(int n, Duration grace) {
        return new GcOptions(OptionalInt.of(n), Optional.empty(), false, grace);
    }

    public static GcOptions keepSince(Instant since, Duration grace) {
        return new GcOptions(OptionalInt.empty(), Optional.of(since), false, grace);
    }

    public GcOptions asDryRun() {
        return new GcOptions(preserveRevisions, preserveSince, true, grace);
    }
}
