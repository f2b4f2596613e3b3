package org.cvmfs.suite.conveyor.server.cli;

import java.io.PrintStream;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;

/**
 * One zerolog-style JSON line as upstream's CLI prints it: {@code level}, context fields,
 * optional {@code time}, then {@code message} (errors carry {@code error} before it).
 */
final class LogLine {
    private final Map<String, Object> fields = new LinkedHashMap<>();

    private LogLine(String level) {
        fields.put("level", level);
    }

    static LogLine info() {
        return new LogLine("info");
    }

    static LogLine warn() {
        return new LogLine("warn");
    }

    static LogLine error() {
        return new LogLine("error");
    }

    LogLine with(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    void print(PrintStream out, boolean timestamps, String message) {
        if (timestamps) {
            fields.put("time", OffsetDateTime.now().truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        }
        fields.put("message", message);
        out.println(ConveyorJson.writeString(fields));
        out.flush();
    }
}
