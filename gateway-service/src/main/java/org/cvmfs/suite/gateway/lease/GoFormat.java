package org.cvmfs.suite.gateway.lease;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * Upstream renders two lease values with Go's default formatting, and publishers print them:
 * remaining lease time as a Go duration ({@code 1h59m59.891420385s}) and expiry as a Go time
 * ({@code 2026-11-25 06:59:47.103 +0000 UTC}).
 */
public final class GoFormat {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);
    private static final DateTimeFormatter ZONE = DateTimeFormatter.ofPattern("xx z", Locale.ROOT);

    private GoFormat() {
    }

    /** Go's {@code time.Duration.String()}. */
    public static String duration(Duration d) {
        long nanos;
        try {
            nanos = d.toNanos();
        } catch (ArithmeticException overflow) {
            nanos = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
        if (nanos == 0) {
            return "0s";
        }
        String sign = nanos < 0 ? "-" : "";
        long u = Math.abs(nanos == Long.MIN_VALUE ? Long.MAX_VALUE : nanos);
        if (u < 1_000_000_000L) {
            if (u < 1_000) {
                return sign + u + "ns";
            }
            if (u < 1_000_000) {
                return sign + fraction(u, 1_000, 3) + "\u00b5s";
            }
            return sign + fraction(u, 1_000_000, 6) + "ms";
        }
        long seconds = u / 1_000_000_000L;
        StringBuilder b = new StringBuilder(sign);
        if (seconds >= 3600) {
            b.append(seconds / 3600).append('h');
        }
        if (seconds >= 60) {
            b.append(seconds / 60 % 60).append('m');
        }
        return b.append(fraction(u % 60_000_000_000L, 1_000_000_000L, 9)).append('s').toString();
    }

    /** Go's {@code time.Time.String()} of a millisecond instant in {@code zone}. */
    public static String time(Instant instant, ZoneId zone) {
        var t = instant.atZone(zone);
        StringBuilder b = new StringBuilder(TIME.format(t));
        int millis = t.getNano() / 1_000_000;
        if (millis != 0) {
            String ms = String.format(Locale.ROOT, "%03d", millis).replaceAll("0+$", "");
            b.append('.').append(ms);
        }
        return b.append(' ').append(ZONE.format(t)).toString();
    }

    private static String fraction(long value, long unit, int digits) {
        long whole = value / unit;
        long rest = value % unit;
        if (rest == 0) {
            return Long.toString(whole);
        }
        String f = String.format(Locale.ROOT, "%0" + digits + "d", rest).replaceAll("0+$", "");
        return whole + "." + f;
    }
}
