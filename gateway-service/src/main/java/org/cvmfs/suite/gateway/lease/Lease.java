package org.cvmfs.suite.gateway.lease;

import java.time.Duration;
import java.time.Instant;
import org.cvmfs.suite.protocol.gateway.LeasePath;

/**
 * An exclusive right to change {@code path} until {@code expiration} (millisecond precision, as
 * stored). A lease whose expiration has passed is expired but may linger in the store until the
 * next acquisition purges it.
 *
 * @param keyId    the key that acquired it
 * @param hostname the publisher's host name, or its address when it sent none
 */
public record Lease(String token, LeasePath path, String keyId, Instant expiration, int protocolVersion,
                    String hostname) {

    public boolean isExpired(Instant now) {
        return expiration.isBefore(now);
    }

    public Duration remaining(Instant now) {
        return Duration.between(now, expiration);
    }

    public String repository() {
        return path.repository();
    }
}
