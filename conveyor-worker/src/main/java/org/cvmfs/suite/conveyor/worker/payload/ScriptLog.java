package org.cvmfs.suite.conveyor.worker.payload;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A payload script's output kept as the job's log, bounded: the first half of the limit and the
 * last half are kept, what lies between is replaced by one line saying how much was dropped (the
 * start says what the script set out to do, the end why it stopped).
 */
public final class ScriptLog {
    private final int headLimit;
    private final int tailLimit;
    private final ByteArrayOutputStream head = new ByteArrayOutputStream();
    private final byte[] tail;
    private int tailStart;
    private int tailLength;
    private long dropped;

    public ScriptLog(int limit) {
        this.headLimit = Math.max(0, limit / 2);
        this.tailLimit = Math.max(0, limit - headLimit);
        this.tail = new byte[tailLimit];
    }

    public synchronized void write(byte[] buffer, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            write(buffer[i]);
        }
    }

    private void write(byte b) {
        if (head.size() < headLimit) {
            head.write(b);
            return;
        }
        if (tailLimit == 0) {
            dropped++;
            return;
        }
        if (tailLength == tailLimit) {
            tailStart = (tailStart + 1) % tailLimit;
            tailLength--;
            dropped++;
        }
        tail[(tailStart + tailLength) % tailLimit] = b;
        tailLength++;
    }

    /** The kept output as text (malformed UTF-8 replaced). */
    public synchronized String text() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(head.toByteArray());
        if (dropped > 0) {
            out.writeBytes(("\n[... " + dropped + " bytes of output dropped ...]\n").getBytes(StandardCharsets.US_ASCII));
        }
        for (int i = 0; i < tailLength; i++) {
            out.write(tail[(tailStart + i) % tailLimit]);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
