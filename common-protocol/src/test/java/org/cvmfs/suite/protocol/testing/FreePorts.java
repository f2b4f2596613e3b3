package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

/** Free loopback ports for private test servers, and waiting until one accepts connections. */
public final class FreePorts {
    private static final Duration INTERVAL = Duration.ofMillis(100);

    private FreePorts() {
    }

    public static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** True once 127.0.0.1:{@code port} accepts a TCP connection, false after {@code limit} or once {@code alive} died. */
    public static boolean awaitListening(int port, Duration limit, ProcessHandle alive) throws InterruptedException {
        boolean[] accepted = {false};
        Await.poll(() -> (alive != null && !alive.isAlive()) || (accepted[0] = accepts(port)), limit, INTERVAL);
        return accepted[0];
    }

    /** True once nothing accepts on the port any more. */
    public static boolean awaitClosed(int port, Duration limit) throws InterruptedException {
        return Await.poll(() -> !accepts(port), limit, INTERVAL);
    }

    private static boolean accepts(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }
}
