package org.cvmfs.suite.protocol.resident;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The reply of the {@link ResidentServer} to one command line, in frames that bash's {@code read}
 * takes apart: one line per frame, its first byte the kind, the rest its bytes. First {@code s}: the request was accepted and its command starts
 * (before it, nothing ran and the caller may run the command itself). {@code o} and
 * {@code e} are a line of stdout and of stderr (the newline is the frame's), {@code O} and
 * {@code E} the last bytes of a stream that did not end with a newline; then exactly one
 * {@code x} with the exit code, or {@code r} with the reason a request was refused before any
 * of it ran. Lines go out in the order the command writes them, each stream's complete lines
 * when the command flushes, so {@code --wait}'s progress reaches the caller as it happens.
 */
public final class FramedReply {
    public static final char STARTED = 's';
    public static final char STDOUT = 'o';
    public static final char STDOUT_END = 'O';
    public static final char STDERR = 'e';
    public static final char STDERR_END = 'E';
    public static final char EXIT = 'x';
    public static final char REFUSED = 'r';

    private final OutputStream socket;
    private final Lines out = new Lines(STDOUT, STDOUT_END);
    private final Lines err = new Lines(STDERR, STDERR_END);

    FramedReply(OutputStream socket) {
        this.socket = socket;
    }

    /** The command's stdout, UTF-8 as a command's own JVM writes it. */
    PrintStream stdout() {
        return new PrintStream(out, false, StandardCharsets.UTF_8);
    }

    PrintStream stderr() {
        return new PrintStream(err, false, StandardCharsets.UTF_8);
    }

    /** The first frame of a request that is run: from here on the caller must not run it again. */
    void started() throws IOException {
        synchronized (socket) {
            frame(STARTED, new byte[0], 0, -1);
            socket.flush();
        }
    }

    /** The last frames: what is left of both streams, then the exit code. */
    void exit(int code) throws IOException {
        synchronized (socket) {
            out.end();
            err.end();
            frame(EXIT, Integer.toString(code).getBytes(StandardCharsets.US_ASCII), 0, -1);
            socket.flush();
        }
    }

    /** The only frame of a request that was not run: bad token, malformed request, another suite build. */
    void refuse(String reason) throws IOException {
        synchronized (socket) {
            frame(REFUSED, reason.replace('\n', ' ').getBytes(StandardCharsets.UTF_8), 0, -1);
            socket.flush();
        }
    }

    private void frame(char kind, byte[] bytes, int from, int to) throws IOException {
        socket.write(kind);
        socket.write(bytes, from, (to < 0 ? bytes.length : to) - from);
        socket.write('\n');
    }

    /** One stream of the command: complete lines become frames, the rest waits for its newline or the end. */
    private final class Lines extends OutputStream {
        private final char line;
        private final char end;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

        Lines(char line, char end) {
            this.line = line;
            this.end = end;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            synchronized (socket) {
                pending.write(b, off, len);
            }
        }

        @Override
        public void flush() throws IOException {
            synchronized (socket) {
                byte[] bytes = pending.toByteArray();
                int start = 0;
                for (int i = 0; i < bytes.length; i++) {
                    if (bytes[i] == '\n') {
                        frame(line, bytes, start, i);
                        start = i + 1;
                    }
                }
                pending.reset();
                pending.write(bytes, start, bytes.length - start);
                socket.flush();
            }
        }

        void end() throws IOException {
            flush();
            if (pending.size() > 0) {
                frame(end, pending.toByteArray(), 0, -1);
                pending.reset();
            }
        }
    }
}
