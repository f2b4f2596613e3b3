package org.cvmfs.suite.protocol.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.time.Instant;

/** Free loopback ports for private test servers, and waiting until one accepts connections. */
public final class FreePorts {
    private FreePorts() {
    }

    public static int next() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("no free port", e);
        }
    }

    /** True once 127.0.0.1:{@code port} accepts a TCP connection, false after {@code limit}. */
    public static boolean awaitListening(int port, Duration limit, ProcessHandle alive) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (Instant.now().isBefore(end)) {
            if (alive != null && !alive.isAlive()) {
                return false;
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        return false;
    }

    /** True once nothing accepts on the port any more. */
    public static boolean awaitClosed(int port, Duration limit) throws InterruptedException {
        Instant end = Instant.now().plus(limit);
        while (Instant.now().isBefore(end)) {
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
                Thread.sleep(100);
            } catch (IOException closed) {
                return true;
            }
        }
        return false;
    }
}
