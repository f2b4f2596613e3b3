package org.cvmfs.suite.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The gateway's connection figures ({@code --only connections}): N connections that never send a
 * byte and M clients that send a request head one byte per second (slowloris) are opened; reported
 * are how many the gateway took, its resident memory while holding them, the latency of an
 * ordinary request meanwhile, and how long until the gateway closed each kind (the header-read
 * deadline should close the slow ones, the idle timeout the silent ones). All sockets are driven
 * by one selector thread, so the client side stays small.
 */
final class ConnectionsCase {
    interface Memory {
        void read(String when) throws IOException, InterruptedException;
    }

    private static final byte[] HEAD = ("GET /api/v1 HTTP/1.1\r\nHost: bench\r\nUser-Agent: slow\r\nX-Padding: "
            + "a".repeat(4000)).getBytes(StandardCharsets.US_ASCII);

    private final URI root;
    private final int idle;
    private final int slow;
    private final Duration bound;
    private final Memory memory;

    ConnectionsCase(URI root, int idle, int slow, Duration bound, Memory memory) {
        this.root = root;
        this.idle = idle;
        this.slow = slow;
        this.bound = bound;
        this.memory = memory;
    }

    /** One client socket: its kind, bytes sent so far, and when the gateway closed it (ns since the start; -1: open). */
    private static final class Client {
        final boolean slow;
        final SocketChannel channel;
        int sent;
        long closedAt = -1;

        Client(boolean slow, SocketChannel channel) {
            this.slow = slow;
            this.channel = channel;
        }
    }

    void run() throws Exception {
        InetSocketAddress address = new InetSocketAddress(root.getHost(), root.getPort());
        List<Client> clients = new ArrayList<>();
        int refused = 0;
        try (Selector selector = Selector.open()) {
            long start = System.nanoTime();
            for (int i = 0; i < idle + slow; i++) {
                try {
                    SocketChannel channel = SocketChannel.open(address);
                    channel.configureBlocking(false);
                    Client c = new Client(i >= idle, channel);
                    channel.register(selector, SelectionKey.OP_READ, c);
                    clients.add(c);
                } catch (IOException e) {
                    refused++;
                }
            }
            System.out.printf("connections: opened %d idle and %d slow-header connections in %.1f s (%d refused at connect)%n",
                    clients.stream().filter(c -> !c.slow).count(), clients.stream().filter(c -> c.slow).count(),
                    (System.nanoTime() - start) / 1e9, refused);
            trickle(clients, start); // the first byte of every slow head
            memory.read("holding them");
            ordinaryRequest();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            long nextByte = System.nanoTime() + 1_000_000_000L;
            long end = start + bound.toNanos();
            while (clients.stream().anyMatch(c -> c.closedAt < 0) && System.nanoTime() < end) {
                selector.select(250);
                for (SelectionKey key : selector.selectedKeys()) {
                    Client c = (Client) key.attachment();
                    int n;
                    try {
                        buffer.clear();
                        n = c.channel.read(buffer);
                    } catch (IOException reset) {
                        n = -1;
                    }
                    if (n < 0) {
                        closed(c, start);
                    }
                }
                selector.selectedKeys().clear();
                if (System.nanoTime() >= nextByte) {
                    trickle(clients, start);
                    nextByte += 1_000_000_000L;
                }
            }
            report("idle", clients.stream().filter(c -> !c.slow).toList());
            report("slow-header", clients.stream().filter(c -> c.slow).toList());
            memory.read("after the connections case");
        } finally {
            for (Client c : clients) {
                c.channel.close();
            }
        }
    }

    /** One more byte of every open slow client's head. */
    private static void trickle(List<Client> clients, long start) {
        for (Client c : clients) {
            if (c.slow && c.closedAt < 0) {
                try {
                    c.channel.write(ByteBuffer.wrap(HEAD, c.sent % HEAD.length, 1));
                    c.sent++;
                } catch (IOException closedMeanwhile) {
                    closed(c, start);
                }
            }
        }
    }

    private static void closed(Client c, long start) {
        if (c.closedAt < 0) {
            c.closedAt = System.nanoTime() - start;
            try {
                c.channel.close();
            } catch (IOException ignored) {
                // closed by the peer already
            }
        }
    }

    private void ordinaryRequest() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
        long t0 = System.nanoTime();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(root.resolve("/api/v1")).timeout(Duration.ofSeconds(30))
                .build(), HttpResponse.BodyHandlers.ofString());
        System.out.printf("connections: an ordinary GET /api/v1 meanwhile: HTTP %d in %.1f ms%n", r.statusCode(),
                (System.nanoTime() - t0) / 1e6);
    }

    private static void report(String kind, List<Client> clients) {
        double[] seconds = clients.stream().filter(c -> c.closedAt >= 0).mapToDouble(c -> c.closedAt / 1e9).sorted()
                .toArray();
        long open = clients.size() - seconds.length;
        if (seconds.length == 0) {
            System.out.printf("connections: %d %s connections, none closed by the gateway within the bound%n",
                    clients.size(), kind);
            return;
        }
        System.out.printf("connections: %d %s connections: %d closed by the gateway after %.1f s (first), %.1f s (median),"
                        + " %.1f s (last); %d still open%n", clients.size(), kind, seconds.length, seconds[0],
                seconds[seconds.length / 2], seconds[seconds.length - 1], open);
        Results.print("gateway: " + kind + " connections closed after (last, s)", seconds[seconds.length - 1], "s");
        if (open > 0) {
            Results.print("gateway: " + kind + " connections still open at the end", open, "connections");
        }
    }
}
