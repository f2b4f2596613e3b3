package org.cvmfs.suite.gateway.upstream;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One {@code cvmfs_receiver} process, started for one task as upstream does, speaking its pipe
 * protocol: requests {@code int32 op | int32 len | message [| payload bytes]}, replies
 * {@code int32 len | bytes}, integers little-endian. The receiver reads requests from fd 3 and
 * writes replies to fd 4; a shell maps those onto the process's standard streams, so the
 * receiver's own standard output cannot corrupt the replies (it goes to standard error).
 */
final class ReceiverProcess implements AutoCloseable {
    static final int OP_QUIT = 0;
    static final int OP_SUBMIT_PAYLOAD = 5;
    static final int OP_COMMIT = 6;
    /** Replies are small JSON objects; anything larger is a broken receiver. */
    private static final int MAX_REPLY = 16 * 1024 * 1024;

    private final Process process;
    private final OutputStream requests;
    private final InputStream replies;

    private ReceiverProcess(Process process) {
        this.process = process;
        this.requests = process.getOutputStream();
        this.replies = process.getInputStream();
    }

    static ReceiverProcess start(Path executable) throws IOException {
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c",
                "exec \"$0\" -i 3 -o 4 3<&0 4>&1 1>&2 0</dev/null", executable.toString()))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        return new ReceiverProcess(p);
    }

    /** Sends a request header and message; a payload, if any, follows through {@link #requestStream()}. */
    void send(int op, byte[] message) throws IOException {
        ByteBuffer header = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(op).putInt(message.length);
        requests.write(header.array());
        requests.write(message);
        requests.flush();
    }

    OutputStream requestStream() {
        return requests;
    }

    /** The next reply; {@link EOFException} if the receiver ended first. */
    byte[] receive() throws IOException {
        byte[] length = replies.readNBytes(4);
        if (length.length < 4) {
            throw new EOFException(length.length == 0 ? "EOF" : "unexpected EOF");
        }
        int n = ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (n < 0 || n > MAX_REPLY) {
            throw new IOException("reply length " + n + " out of range");
        }
        byte[] body = replies.readNBytes(n);
        if (body.length < n) {
            throw new EOFException("unexpected EOF");
        }
        return body;
    }

    /** Asks the receiver to exit and waits briefly for it. */
    void quit() throws IOException {
        send(OP_QUIT, new byte[0]);
        String reply = new String(receive(), StandardCharsets.UTF_8);
        if (!reply.equals("ok")) {
            throw new IOException("receiver answered '" + reply + "' to quit");
        }
    }

    void kill() {
        process.destroyForcibly();
    }

    long pid() {
        return process.pid();
    }

    @Override
    public void close() {
        try {
            requests.close();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (IOException e) {
            process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    static String text(byte[] reply) {
        return new String(reply, StandardCharsets.UTF_8);
    }
}
