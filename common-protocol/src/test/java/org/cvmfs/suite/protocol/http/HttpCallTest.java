package org.cvmfs.suite.protocol.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link HttpCall} against a JDK server that records what it was sent. */
class HttpCallTest {
    private record Seen(String method, String path, Headers headers, byte[] body) {
    }

    private HttpServer server;
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private final AtomicInteger bodyOpens = new AtomicInteger();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestHeaders(), body));
            exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.createContext("/moved", exchange -> {
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getPath(), exchange.getRequestHeaders(), new byte[0]));
            exchange.getResponseHeaders().add("Location", "/echo");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        server.createContext("/loop", exchange -> {
            exchange.getResponseHeaders().add("Location", "/loop");
            exchange.sendResponseHeaders(301, -1);
            exchange.close();
        });
        server.createContext("/big", exchange -> {
            // no length announced: the bound must hold while reading
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[1000]);
            }
        });
        server.createContext("/announced", exchange -> {
            exchange.sendResponseHeaders(200, 1000);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(new byte[1000]);
            }
        });
        server.createContext("/large-object", exchange -> {
            // what a Stratum 0 answers a HEAD of an object: its length, no body
            exchange.getResponseHeaders().set("Content-Length", Long.toString(5L << 30));
            exchange.sendResponseHeaders(200, -1);
            exchange.close();
        });
        server.createContext("/error", exchange -> {
            byte[] page = new byte[HttpCall.ERROR_BODY * 2];
            Arrays.fill(page, (byte) 'x');
            exchange.sendResponseHeaders(503, page.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(page);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    @Test
    void aBodyGoesWithItsLengthNeverChunkedAndIsReadOnce() throws IOException {
        byte[] body = "name=value".getBytes(StandardCharsets.US_ASCII);
        HttpCall.Reply reply = HttpCall.of("POST", uri("/echo")).header("X-Test", "1")
                .body(body.length, () -> {
                    bodyOpens.incrementAndGet();
                    return new ByteArrayInputStream(body);
                }).send();

        assertEquals(200, reply.status());
        assertArrayEquals(body, reply.body());
        Seen s = seen.poll();
        assertEquals("POST", s.method());
        assertEquals(Integer.toString(body.length), s.headers().getFirst("Content-length"));
        assertNull(s.headers().getFirst("Transfer-encoding"));
        assertEquals("*/*", s.headers().getFirst("Accept"), "as libcurl");
        assertEquals("1", s.headers().getFirst("X-test"));
        assertNull(s.headers().getFirst("Cache-control"), "objects stay cacheable by proxies");
        assertNull(s.headers().getFirst("Pragma"));
        assertEquals(1, bodyOpens.get());
    }

    @Test
    void aBodyIsWrittenInBlocksHoweverItsSourceReadsComeIn() throws IOException {
        byte[] body = new byte[2 * HttpCall.WRITE_BLOCK + 1000];
        new Random(5).nextBytes(body);
        List<Integer> writes = new ArrayList<>();
        ByteArrayOutputStream received = new ByteArrayOutputStream() {
            @Override
            public synchronized void write(byte[] b, int off, int len) {
                writes.add(len);
                super.write(b, off, len);
            }
        };
        InputStream trickle = new ByteArrayInputStream(body) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 1000));
            }
        };
        HttpCall.copy(trickle, received, body.length);
        assertArrayEquals(body, received.toByteArray());
        assertEquals(List.of(HttpCall.WRITE_BLOCK, HttpCall.WRITE_BLOCK, 1000), writes);

        writes.clear();
        HttpCall.copy(new ByteArrayInputStream(new byte[10]), received, 10);
        assertEquals(List.of(10), writes, "a short body in one write of its size");
    }

    @Test
    void anEmptyBodyIsAnnouncedAsSuch() throws IOException {
        HttpCall.of("DELETE", uri("/echo")).body(new byte[0]).send();
        Seen s = seen.poll();
        assertEquals("DELETE", s.method());
        assertEquals("0", s.headers().getFirst("Content-length"));
    }

    @Test
    void redirectsAreFollowedOnlyWhenAskedAndNotForever() throws IOException {
        assertEquals(302, HttpCall.of("GET", uri("/moved")).send().status());
        assertEquals(1, seen.size());
        seen.clear();

        HttpCall.Reply followed = HttpCall.of("GET", uri("/moved")).followRedirects().send();
        assertEquals(200, followed.status());
        assertEquals("/echo", seen.stream().reduce((a, b) -> b).orElseThrow().path());

        assertEquals(301, HttpCall.of("GET", uri("/loop")).followRedirects().send().status(),
                "after " + HttpCall.MAX_REDIRECTS + " redirects the last one is the reply");
    }

    @Test
    void aBodyOverTheBoundIsRefusedWhetherAnnouncedOrNot() {
        HttpCall.BodyTooLargeException announced = assertThrows(HttpCall.BodyTooLargeException.class,
                () -> HttpCall.of("GET", uri("/announced")).maxBody(999).send());
        assertTrue(announced.getMessage().contains("announces 1000 bytes, more than the 999 allowed"), announced.getMessage());
        assertEquals(200, assertDoesNotThrow(() -> HttpCall.of("HEAD", uri("/large-object")).maxBody(999).send()).status(),
                "a HEAD reply's length is the object's, not a body");
        HttpCall.BodyTooLargeException streamed = assertThrows(HttpCall.BodyTooLargeException.class,
                () -> HttpCall.of("GET", uri("/big")).maxBody(999).send());
        assertTrue(streamed.getMessage().contains("sent more than the 999 bytes allowed"), streamed.getMessage());
    }

    @Test
    void anErrorReplyKeepsTheStartOfItsBody() throws IOException {
        HttpCall.Reply error = HttpCall.of("GET", uri("/error")).maxBody(10).send();
        assertEquals(503, error.status());
        assertEquals(HttpCall.ERROR_BODY, error.body().length);
    }

    @Test
    void aServerThatDoesNotAnswerInTimeIsATransportFailure() throws IOException {
        server.createContext("/slow", exchange -> {
            try {
                Thread.sleep(2000);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        assertThrows(IOException.class, () -> HttpCall.of("GET", uri("/slow")).timeout(Duration.ofMillis(200)).send());
        assertEquals("GET " + uri("/slow"), HttpCall.of("GET", uri("/slow")).describe());
    }

    @Test
    void aZeroTimeoutWaitsAsLongAsTheReplyTakes() throws IOException {
        server.createContext("/late", exchange -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(200, 2);
            exchange.getResponseBody().write("ok".getBytes(StandardCharsets.US_ASCII));
            exchange.close();
        });
        HttpCall.Reply late = HttpCall.of("GET", uri("/late")).connectTimeout(Duration.ofSeconds(5)).timeout(Duration.ZERO).send();
        assertEquals("ok", new String(late.body(), StandardCharsets.US_ASCII));
    }
}
