package org.cvmfs.suite.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Optional;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.gateway.LeaseRequest;
import org.junit.jupiter.api.Test;

class ReplayGuardTest {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final LeasePath PATH = LeasePath.parse("repo.test/sw");

    private static LeaseRequest at(Instant when, String nonce) {
        return new LeaseRequest(PATH.toWire(), "2", "vm", when.getEpochSecond(), nonce);
    }

    @Test
    void upstreamRequestsPassUnlessSignedOnesAreRequired() {
        LeaseRequest upstream = LeaseRequest.of(PATH, "vm");
        assertEquals(Optional.empty(), new ReplayGuard(CLOCK, false).refusal("key1", upstream));
        assertEquals(Optional.of("lease request lacks a signed timestamp and nonce"),
                new ReplayGuard(CLOCK, true).refusal("key1", upstream));
    }

    @Test
    void aSignedRequestIsAcceptedOncePerKey() {
        ReplayGuard guard = new ReplayGuard(CLOCK, true);
        LeaseRequest request = LeaseRequest.replayProtected(PATH, "vm", NOW);
        assertEquals(Optional.empty(), guard.refusal("key1", request));
        assertEquals(Optional.of("lease request replayed"), guard.refusal("key1", request));
        assertEquals(Optional.empty(), guard.refusal("key2", request), "nonces are per key");
        assertEquals(Optional.empty(), guard.refusal("key1", LeaseRequest.replayProtected(PATH, "vm", NOW)));
    }

    @Test
    void staleFutureAndMalformedRequestsAreRefused() {
        ReplayGuard guard = new ReplayGuard(CLOCK, false);
        String stale = "lease request timestamp is more than 5 minutes from the gateway's clock";
        assertEquals(Optional.of(stale), guard.refusal("k", at(NOW.minus(Duration.ofMinutes(6)), "00112233445566778899")));
        assertEquals(Optional.of(stale), guard.refusal("k", at(NOW.plus(Duration.ofMinutes(6)), "00112233445566778899")));
        assertEquals(Optional.empty(), guard.refusal("k", at(NOW.minus(Duration.ofMinutes(4)), "00112233445566778899")));
        assertEquals(Optional.of("lease request nonce must be 16 to 64 lower-case hex digits"),
                guard.refusal("k", at(NOW, "short")));
        assertEquals(Optional.of("lease request carries only one of timestamp and nonce"),
                guard.refusal("k", new LeaseRequest(PATH.toWire(), "2", "vm", NOW.getEpochSecond(), null)));
    }

    @Test
    void noncesAreForgottenOnlyAfterTheyCanNoLongerBeReplayed() {
        Instant[] now = {NOW};
        Clock moving = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        ReplayGuard guard = new ReplayGuard(moving, false);
        LeaseRequest request = at(NOW, "aaaaaaaaaaaaaaaaaaaa");
        assertEquals(Optional.empty(), guard.refusal("k", request));
        now[0] = NOW.plus(Duration.ofMinutes(4));
        assertEquals(Optional.of("lease request replayed"), guard.refusal("k", request));
        now[0] = NOW.plus(Duration.ofMinutes(11));
        assertEquals(Optional.of("lease request timestamp is more than 5 minutes from the gateway's clock"),
                guard.refusal("k", request));
    }

    /** Past {@link ReplayGuard#MAX_REMEMBERED} nonces, protected requests are refused until old ones age out. */
    @Test
    void aFullMemoryFailsClosedUntilNoncesAgeOut() {
        MutableClock clock = new MutableClock(NOW);
        ReplayGuard guard = new ReplayGuard(clock, false);
        for (int i = 0; i < ReplayGuard.MAX_REMEMBERED; i++) {
            assertEquals(Optional.empty(), guard.refusal("k", at(NOW, String.format("%016x", i))));
        }
        String full = "too many recent lease requests; try again later";
        assertEquals(Optional.of(full), guard.refusal("k", at(NOW, "ffffffffffffffff")));
        clock.advance(ReplayGuard.WINDOW.multipliedBy(2));
        assertEquals(Optional.of(full), guard.refusal("k", at(clock.instant(), "ffffffffffffffff")),
                "a nonce is kept until its request could no longer pass the window");
        clock.advance(Duration.ofSeconds(1));
        assertEquals(Optional.empty(), guard.refusal("k", at(clock.instant(), "ffffffffffffffff")));
    }
}
