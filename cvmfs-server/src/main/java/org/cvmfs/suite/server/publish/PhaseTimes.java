package org.cvmfs.suite.server.publish;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Wall time of each phase of one publication, printed as one line ({@code Phases: scan 0.12 s,
 * ...}) so that the benchmark can show where the time goes and a regression shows up there.
 * Not thread-safe: phases follow each other in the publishing thread.
 */
final class PhaseTimes {
    private final Map<String, Long> nanos = new LinkedHashMap<>();
    private long mark = System.nanoTime();

    /** Ends the phase running since the last call, under {@code name}. */
    void end(String name) {
        long now = System.nanoTime();
        nanos.merge(name, now - mark, Long::sum);
        mark = now;
    }

    String line() {
        return "Phases: " + nanos.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s %.2f s", e.getKey(), e.getValue() / 1e9))
                .collect(Collectors.joining(", "));
    }
}
