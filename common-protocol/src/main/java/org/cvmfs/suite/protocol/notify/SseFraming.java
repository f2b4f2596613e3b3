package org.cvmfs.suite.protocol.notify;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Server-Sent Events framing as the C++ subscriber parses it: one {@code data: } line holding
 * the message, then an empty line, sent as a single write. Its chunk-based parser cannot cope
 * with multi-line data, comments, ids or keep-alive lines, so nothing else is ever framed.
 */
public final class SseFraming {
    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);

    private SseFraming() {
    }

    /** {@code data: <json>\n\n}; the message must be one line. */
    public static byte[] frame(byte[] json) {
        for (byte b : json) {
            if (b == '\n' || b == '\r') {
                throw new IllegalArgumentException("an SSE data line cannot hold a line break");
            }
        }
        byte[] out = new byte[PREFIX.length + json.length + 2];
        System.arraycopy(PREFIX, 0, out, 0, PREFIX.length);
        System.arraycopy(json, 0, out, PREFIX.length, json.length);
        out[out.length - 2] = '\n';
        out[out.length - 1] = '\n';
        return out;
    }

    /**
     * Drops CR and LF bytes. In JSON they can only be insignificant whitespace (inside strings
     * they must be escaped), so a pretty-printed message keeps its meaning and becomes one line.
     */
    public static byte[] stripLineBreaks(byte[] json) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(json.length);
        for (byte b : json) {
            if (b != '\n' && b != '\r') {
                out.write(b);
            }
        }
        return out.size() == json.length ? json : out.toByteArray();
    }
}
