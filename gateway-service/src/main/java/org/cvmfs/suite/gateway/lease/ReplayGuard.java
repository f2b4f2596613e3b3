package org.cvmfs.suite.gateway.lease;

import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.protocol.gateway.LeaseRequest;

/**
 * Beyond upstream, whose lease-request HMAC covers no time: a request that carries a signed time
 * stamp and nonce (our publisher's) is accepted only within {@link #WINDOW} of the gateway's
 * clock and only once per key and nonce, so a recorded request cannot be replayed. Requests
 * without them (upstream clients) are accepted unless {@code require_signed_lease_requests} is
 * set in user.json. Nonces are remembered for the window, at most {@link #MAX_REMEMBERED}; past
 * that bound, new protected requests are refused until old nonces age out (fail closed).
 */
@Singleton
public class ReplayGuard {
    public static final Duration WINDOW = Duration.ofMinutes(5);
    static final int MAX_REMEMBERED = 100_000;

    private final Clock clock;
    private final boolean required;
    /** key id + nonce to the instant after which it may be forgotten, oldest first. */
    private final LinkedHashMap<String, Instant> seen = new LinkedHashMap<>();

    @Inject
    public ReplayGuard(GatewaySettings settings, Clock clock) {
        this(clock, settings.user().requireSignedLeaseRequests());
    }

    ReplayGuard(Clock clock, boolean required) {
        this.clock = clock;
        this.required = required;
    }

    /** Why {@code request}, signed by {@code keyId}, is refused; empty if it may proceed. */
    public Optional<String> refusal(String keyId, LeaseRequest request) {
        if (!request.isReplayProtected()) {
            if (request.timestamp() != null || request.nonce() != null) {
                return Optional.of("lease request carries only one of timestamp and nonce");
            }
            return required ? Optional.of("lease request lacks a signed timestamp and nonce") : Optional.empty();
        }
        if (!request.nonce().matches("[0-9a-f]{16,64}")) {
            return Optional.of("lease request nonce must be 16 to 64 lower-case hex digits");
        }
        Instant now = clock.instant();
        Instant sent = Instant.ofEpochSecond(request.timestamp());
        if (sent.isBefore(now.minus(WINDOW)) || sent.isAfter(now.plus(WINDOW))) {
            return Optional.of("lease request timestamp is more than " + WINDOW.toMinutes()
                    + " minutes from the gateway's clock");
        }
        synchronized (seen) {
            forgetExpired(now);
            String id = keyId + " " + request.nonce();
            if (seen.containsKey(id)) {
                return Optional.of("lease request replayed");
            }
            if (seen.size() >= MAX_REMEMBERED) {
                return Optional.of("too many recent lease requests; try again later");
            }
            seen.put(id, sent.plus(WINDOW).plus(WINDOW));
        }
        return Optional.empty();
    }

    private void forgetExpired(Instant now) {
        Iterator<Map.Entry<String, Instant>> it = seen.entrySet().iterator();
        while (it.hasNext()) {
            if (it.next().getValue().isBefore(now)) {
                it.remove();
            } else {
                return; // insertion order is near time order; the rest ages out later
            }
        }
    }
}
