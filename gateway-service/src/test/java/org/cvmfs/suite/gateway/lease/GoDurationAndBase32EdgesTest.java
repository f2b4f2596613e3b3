package org.cvmfs.suite.gateway.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The unit changes of Go's {@code Duration.String()} (what a busy lease reports as time remaining)
 * happen exactly at 1µs, 1ms, 1s and 1h, and lease tokens are RFC 4648 base32 for every length
 * of the trailing group. Written from the survivors of a PIT run (issue 9).
 */
class GoDurationAndBase32EdgesTest {
    @Test
    void eachUnitStartsAtExactlyOneOfIt() {
        assertEquals("999ns", GoFormat.duration(Duration.ofNanos(999)));
        assertEquals("1\u00b5s", GoFormat.duration(Duration.ofNanos(1_000)));
        assertEquals("999.999\u00b5s", GoFormat.duration(Duration.ofNanos(999_999)));
        assertEquals("1ms", GoFormat.duration(Duration.ofMillis(1)));
        assertEquals("999.999999ms", GoFormat.duration(Duration.ofNanos(999_999_999)));
        assertEquals("1s", GoFormat.duration(Duration.ofSeconds(1)));
        assertEquals("59m59s", GoFormat.duration(Duration.ofSeconds(3599)));
        assertEquals("1h0m0s", GoFormat.duration(Duration.ofHours(1)));
        assertEquals("-1s", GoFormat.duration(Duration.ofSeconds(-1)));
        assertEquals("0s", GoFormat.duration(Duration.ZERO));
    }

    @Test
    void durationsBeyondGosRangeSaturateWithTheirSign() {
        // Go's largest Duration prints as 2562047h47m16.854775807s
        assertEquals("2562047h47m16.854775807s", GoFormat.duration(Duration.ofSeconds(Long.MAX_VALUE / 2)));
        assertEquals("-2562047h47m16.854775807s", GoFormat.duration(Duration.ofSeconds(Long.MIN_VALUE / 2)));
    }

    @Test
    void base32MatchesRfc4648Vectors() {
        String[][] vectors = {{"", ""}, {"f", "MY======"}, {"fo", "MZXQ===="}, {"foo", "MZXW6==="},
                {"foob", "MZXW6YQ="}, {"fooba", "MZXW6YTB"}, {"foobar", "MZXW6YTBOI======"}};
        for (String[] v : vectors) {
            assertEquals(v[1], LeaseToken.base32(v[0].getBytes(StandardCharsets.US_ASCII)), v[0]);
        }
        assertEquals("77777777", LeaseToken.base32(new byte[] {-1, -1, -1, -1, -1}));
    }
}
