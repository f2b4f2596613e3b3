package org.cvmfs.suite.server.e2e;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP relay between a publisher and the gateway that reads the HTTP/1.1 requests passing
 * through, as the proxy that recorded the upstream fixture did: every request line, header and
 * (the first 4 MiB of the) body is kept in arrival order. On demand it stops forwarding a payload
 * upload halfway, so that a test can kill the publisher while the gateway holds half a pack; it
 * loses the reply of a commit the gateway carried out, or the commit request itself, so that a
 * test can see the publisher find out what happened.
 */
final class GatewayTap implements Closeable {
    private static final int KEPT_BODY_BYTES = 4 << 20;

    /** One request as it was relayed; {@code body} holds its first 4 MiB. */
    static final class Request {
        private final String method;
        private final String target;
        private final List<String[]> headers;
        private final long length;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private volatile boolean complete;

        Request(String method, String target, List<String[]> headers, long length) {
            this.method = method;
            this.target = target;
            this.headers = headers;
            this.length = length;
        }

        String method() {
            return method;
        }

        /** The request target below {@code /api/v1}, tokens included. */
        String route() {
            return target.startsWith("/api/v1") ? target.substring("/api/v1".length()) : target;
        }

        /** Header names as sent (case kept), in order. */
        List<String> headerNames() {
            return headers.stream().map(h -> h[0]).toList();
        }

        String header(String name) {
            return headers.stream().filter(h -> h[0].equalsIgnoreCase(name)).map(h -> h[1]).findFirst().orElse(null);
        }

        long length() {
            return length;
        }

        synchronized byte[] body() {
            return body.toByteArray();
        }

        /** The lease token of a commit or drop ({@code /leases/TOKEN}). */
        String token() {
            if (!route().startsWith("/leases/")) {
                throw new IllegalStateException(this + " names no lease token");
            }
            return route().substring("/leases/".length());
        }

        /** {@code POST /leases/TOKEN}: a commit (an acquire has no token, a drop is a DELETE). */
        boolean isCommit() {
            return method.equals("POST") && route().startsWith("/leases/");
        }

        boolean isPayload() {
            return method.equals("POST") && route().equals("/payloads");
        }

        private synchronized void keep(byte[] b, int off, int n) {
            int room = KEPT_BODY_BYTES - body.size();
            if (room > 0) {
                body.write(b, off, Math.min(room, n));
            }
        }

        @Override
        public String toString() {
            return method + " " + target + " (" + length + " bytes" + (complete ? "" : ", cut") + ")";
        }
    }

    private final ServerSocket listener;
    private final int gatewayPort;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile long cutPayloadAfter = -1;
    private volatile CountDownLatch payloadCut = new CountDownLatch(1);
    private volatile CommitFault commitFault = CommitFault.NONE;

    /** What happens to the next commit passing the tap. */
    enum CommitFault {
        NONE,
        /** Forwarded; the connection is cut when the gateway answers, so its reply is lost. */
        LOSE_REPLY,
        /** Never forwarded; the connection is cut instead. */
        LOSE_REQUEST
    }

    /** One publisher connection: set when the gateway's next reply must not reach the publisher. */
    private static final class Connection {
        volatile boolean swallowReply;
    }

    private GatewayTap(ServerSocket listener, int gatewayPort) {
        this.listener = listener;
        this.gatewayPort = gatewayPort;
    }

    static GatewayTap start(int gatewayPort) throws IOException {
        GatewayTap tap = new GatewayTap(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()), gatewayPort);
        Thread acceptor = new Thread(tap::acceptLoop, "gateway-tap");
        acceptor.setDaemon(true);
        acceptor.start();
        return tap;
    }

    URI apiUrl() {
        return URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/api/v1");
    }

    /** Requests seen since the last {@link #clear}, in arrival order. */
    List<Request> requests() {
        return List.copyOf(requests);
    }

    List<Request> payloads() {
        return requests.stream().filter(Request::isPayload).toList();
    }

    void clear() {
        requests.clear();
    }

    /**
     * The next payload upload is forwarded for {@code bytes} bytes of its body only; the rest is
     * swallowed. The latch opens when that happened.
     */
    CountDownLatch cutNextPayloadAfter(long bytes) {
        payloadCut = new CountDownLatch(1);
        cutPayloadAfter = bytes;
        return payloadCut;
    }

    /** The next commit meets {@code fault}; later ones pass. */
    void failNextCommit(CommitFault fault) {
        commitFault = fault;
    }

    private void acceptLoop() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket gateway = new Socket(InetAddress.getLoopbackAddress(), gatewayPort);
                sockets.add(client);
                sockets.add(gateway);
                Connection connection = new Connection();
                daemon("tap-down", () -> relayReplies(connection, gateway.getInputStream(), client.getOutputStream()),
                        client, gateway);
                daemon("tap-up", () -> relayRequests(connection, client.getInputStream(), gateway.getOutputStream()),
                        client, gateway);
            } catch (IOException closed) {
                return;
            }
        }
    }

    private interface Work {
        void run() throws IOException;
    }

    private void daemon(String name, Work work, Socket a, Socket b) {
        Thread t = new Thread(() -> {
            try {
                work.run();
            } catch (IOException ignored) {
                // the other side went away: so does this connection
            } finally {
                closeQuietly(a);
                closeQuietly(b);
            }
        }, name);
        t.setDaemon(true);
        t.start();
    }

    /** Gateway to publisher; a reply to be lost ends the connection as soon as its first bytes arrive. */
    private static void relayReplies(Connection connection, InputStream in, OutputStream out) throws IOException {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
            if (connection.swallowReply) {
                return;
            }
            out.write(buf, 0, n);
            out.flush();
        }
    }

    private void relayRequests(Connection connection, InputStream raw, OutputStream gateway) throws IOException {
        BufferedInputStream in = new BufferedInputStream(raw);
        byte[] buf = new byte[64 * 1024];
        while (true) {
            byte[] head = readHead(in);
            if (head == null) {
                return;
            }
            Request r = parseHead(head);
            requests.add(r);
            CommitFault fault = r.isCommit() ? commitFault : CommitFault.NONE;
            if (fault != CommitFault.NONE) {
                commitFault = CommitFault.NONE;
            }
            if (fault == CommitFault.LOSE_REQUEST) {
                return;
            }
            // HTTP/1.1 without pipelining: whatever the gateway sends next is this request's reply
            connection.swallowReply = fault == CommitFault.LOSE_REPLY;
            gateway.write(head);
            gateway.flush();
            long cutAt = r.isPayload() ? cutPayloadAfter : -1;
            long sent = 0;
            while (sent < r.length()) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, r.length() - sent));
                if (n < 0) {
                    return;
                }
                r.keep(buf, 0, n);
                if (cutAt >= 0 && sent + n > cutAt) {
                    gateway.write(buf, 0, (int) (cutAt - sent));
                    gateway.flush();
                    cutPayloadAfter = -1;
                    payloadCut.countDown();
                    in.transferTo(OutputStream.nullOutputStream());
                    return;
                }
                gateway.write(buf, 0, n);
                sent += n;
            }
            gateway.flush();
            r.complete = true;
        }
    }

    /** The request line and headers up to the blank line, or null at the end of the stream. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int c;
        while ((c = in.read()) >= 0) {
            head.write(c);
            matched = (c == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (c == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
        }
        if (head.size() > 0) {
            throw new IOException("connection closed inside a request head");
        }
        return null;
    }

    private static Request parseHead(byte[] head) throws IOException {
        String[] lines = new String(head, StandardCharsets.ISO_8859_1).split("\r\n");
        String[] requestLine = lines[0].split(" ");
        List<String[]> headers = new ArrayList<>();
        long length = 0;
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            String name = lines[i].substring(0, colon);
            String value = lines[i].substring(colon + 1).strip();
            headers.add(new String[] {name, value});
            switch (name.toLowerCase(Locale.ROOT)) {
                case "content-length" -> length = Long.parseLong(value);
                case "transfer-encoding" -> throw new IOException("the tap relays Content-Length bodies only, not " + value);
                default -> { }
            }
        }
        return new Request(requestLine[0], requestLine[1], headers, length);
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        sockets.forEach(GatewayTap::closeQuietly);
    }
}
