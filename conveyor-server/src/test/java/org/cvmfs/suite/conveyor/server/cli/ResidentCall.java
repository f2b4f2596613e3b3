package org.cvmfs.suite.conveyor.server.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.protocol.resident.FramedReply;

/**
 * What {@code run_suite_resident} in deploy/lib/suite-launcher.sh does, in Java for the tests:
 * the token line, the NUL-terminated request, then the reply's frames taken apart.
 */
record ResidentCall(boolean started, String stdout, String stderr, Integer exit, String refused) {

    static ResidentCall send(int port, String token, String home, String cwd, Map<String, String> env, List<String> args)
            throws IOException {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes((token + "\n").getBytes(StandardCharsets.UTF_8));
        field(request, home);
        field(request, cwd);
        field(request, Integer.toString(env.size()));
        env.forEach((k, v) -> field(request, k + "=" + v));
        field(request, Integer.toString(args.size()));
        args.forEach(a -> field(request, a));
        return exchange(port, request.toByteArray(), false);
    }

    /** Sends {@code bytes} as they are (a malformed request, say), ends the output, and reads the reply. */
    static ResidentCall raw(int port, byte[] bytes) throws IOException {
        return exchange(port, bytes, true);
    }

    /** Without {@code hangUp}, the connection stays open both ways until the reply ends, as the launcher keeps it. */
    private static ResidentCall exchange(int port, byte[] bytes, boolean hangUp) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
            if (hangUp) {
                socket.shutdownOutput();
            }
            return read(new BufferedInputStream(socket.getInputStream()));
        }
    }

    private static void field(ByteArrayOutputStream request, String value) {
        request.writeBytes(value.getBytes(StandardCharsets.UTF_8));
        request.write(0);
    }

    private static ResidentCall read(InputStream in) throws IOException {
        boolean started = false;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        for (byte[] frame = line(in); frame != null; frame = line(in)) {
            String rest = new String(frame, 1, frame.length - 1, StandardCharsets.UTF_8);
            switch ((char) frame[0]) {
                case FramedReply.STARTED -> started = true;
                case FramedReply.STDOUT -> {
                    out.write(frame, 1, frame.length - 1);
                    out.write('\n');
                }
                case FramedReply.STDOUT_END -> out.write(frame, 1, frame.length - 1);
                case FramedReply.STDERR -> {
                    err.write(frame, 1, frame.length - 1);
                    err.write('\n');
                }
                case FramedReply.STDERR_END -> err.write(frame, 1, frame.length - 1);
                case FramedReply.EXIT -> {
                    return new ResidentCall(started, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8),
                            Integer.parseInt(rest), null);
                }
                case FramedReply.REFUSED -> {
                    return new ResidentCall(started, "", "", null, rest);
                }
                default -> throw new IOException("unknown frame " + rest);
            }
        }
        return new ResidentCall(started, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), null, null);
    }

    private static byte[] line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0) {
                return null;
            }
            line.write(b);
        }
        return line.toByteArray();
    }
}
