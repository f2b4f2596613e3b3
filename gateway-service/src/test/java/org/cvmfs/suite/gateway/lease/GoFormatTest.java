package org.cvmfs.suite.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class GoFormatTest {
    @Test
    void durationsAsGoPrintsThem() {
        assertEquals("0s", GoFormat.duration(Duration.ZERO));
        assertEquals("1h59m59.891420385s", GoFormat.duration(Duration.ofNanos(7_199_891_420_385L)));
        assertEquals("2h0m0s", GoFormat.duration(Duration.ofHours(2)));
        assertEquals("1m0s", GoFormat.duration(Duration.ofMinutes(1)));
        assertEquals("1m1.5s", GoFormat.duration(Duration.ofMillis(61_500)));
        assertEquals("1.5s", GoFormat.duration(Duration.ofMillis(1500)));
        assertEquals("300ms", GoFormat.duration(Duration.ofMillis(300)));
        assertEquals("1.234567ms", GoFormat.duration(Duration.ofNanos(1_234_567)));
        assertEquals("12.5\u00b5s", GoFormat.duration(Duration.ofNanos(12_500)));
        assertEquals("999ns", GoFormat.duration(Duration.ofNanos(999)));
        assertEquals("-1.5s", GoFormat.duration(Duration.ofMillis(-1500)));
        assertEquals("50h0m0s", GoFormat.duration(Duration.ofHours(50)));
    }

    @Test
    void timesAsGoPrintsThem() {
        Instant recorded = Instant.parse("2026-11-25T06:59:47.103Z");
        assertEquals("2026-11-25 06:59:47.103 +0000 UTC", GoFormat.time(recorded, ZoneId.of("UTC")));
        assertEquals("2026-11-25 06:59:47.1 +0000 UTC", GoFormat.time(Instant.parse("2026-11-25T06:59:47.100Z"), ZoneId.of("UTC")));
        assertEquals("2026-11-25 06:59:47 +0000 UTC", GoFormat.time(Instant.parse("2026-11-25T06:59:47Z"), ZoneId.of("UTC")));
        assertEquals("2024-10-18 12:00:00.123 +0200 CEST",
                GoFormat.time(Instant.parse("2024-10-18T10:00:00.123Z"), ZoneId.of("Europe/Zurich")));
        assertEquals("2026-11-25 06:59:47.103 +0000 Z", GoFormat.time(recorded, ZoneOffset.UTC));
    }
}
