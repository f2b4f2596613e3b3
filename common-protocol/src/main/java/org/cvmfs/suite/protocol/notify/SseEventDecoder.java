package org.cvmfs.suite.protocol.notify;

import java.util.Optional;

/**
 * Reassembles events from an SSE stream, line by line, following the HTML event-stream rules
 * (so it is more tolerant than the C++ parser): {@code data} lines accumulate, an empty line
 * ends the event, comments and other fields are ignored. One instance per stream; not thread-safe.
 */
public final class SseEventDecoder {
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;

    /** Feeds one line without its terminator; returns the event's data when the line ends one. */
    public Optional<String> line(String line) {
        if (line.isEmpty()) {
            if (!hasData) {
                return Optional.empty();
            }
            String event = data.toString();
            data.setLength(0);
            hasData = false;
            return Optional.of(event);
        }
        if (line.startsWith("data")) {
            String value;
            if (line.length() == 4) {
                value = "";
            } else if (line.charAt(4) == ':') {
                value = line.substring(line.length() > 5 && line.charAt(5) == ' ' ? 6 : 5);
            } else {
                return Optional.empty();
            }
            if (hasData) {
                data.append('\n');
            }
            data.append(value);
            hasData = true;
        }
        return Optional.empty();
    }
}
