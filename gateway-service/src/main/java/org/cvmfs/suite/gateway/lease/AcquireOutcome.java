package org.cvmfs.suite.gateway.lease;

import java.time.Duration;

/** What a lease request came to. */
public sealed interface AcquireOutcome {
    record Granted(Lease lease) implements AcquireOutcome {
    }

    /** An unexpired lease overlaps; {@code remaining} is its time left. */
    record Busy(Lease holder, Duration remaining) implements AcquireOutcome {
    }

    /** Refused with upstream's reason text. */
    record Refused(String reason) implements AcquireOutcome {
    }
}
