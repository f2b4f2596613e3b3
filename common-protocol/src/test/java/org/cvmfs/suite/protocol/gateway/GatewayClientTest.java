package org.cvmfs.suite.protocol.gateway;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.pack.PackEntry;
import org.cvmfs.suite.protocol.pack.PackHeader;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The client against a recording HTTP server: what it sends must be what upstream's publisher sent. */
class GatewayClientTest {
    private static final Path EXCHANGES = Fixtures.gatewayPublication().resolve("exchanges");
    private static final GatewayKey KEY1 = new GatewayKey("key1", "big_secret");
    private static final String TOKEN_A = "XBV3K6GPARNPSBOHYL4P5IA7DI3HKCZEOU3NRSTVM5UXK3GEFK7A====";

    record Seen(String method, String path, Map<String, List<String>> headers, byte[] body) {
        String header(String name) {
            List<String> v = headers.get(name);
            return v == null ? null : v.get(0);
        }
    }

    private HttpServer server;
    private final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    private volatile int status = 200;
    private volatile String reply = "{\"status\":\"ok\"}";
    private GatewayClient client;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            seen.add(new Seen(exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(),
                    exchange.getRequestHeaders(), body));
            byte[] out = reply.getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, out.length);
            exchange.getResponseBody().write(out);
            exchange.close();
        });
        server.start();
        URI api = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1");
        client = new GatewayClient(api, KEY1, Duration.ofSeconds(30), "cvmfs-suite-test");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void acquireSendsTheRecordedRequest() throws Exception {
        reply = Files.readString(EXCHANGES.resolve("001-POST-leases/response.body"));
        GatewayReply r = client.acquire(LeasePath.parse("capture.test/sw"), "vm");
        assertTrue(r.isOk());
        assertEquals(TOKEN_A, r.sessionToken());
        Seen s = seen.remove();
        assertEquals("POST", s.method());
        assertEquals("/api/v1/leases", s.path());
        assertArrayEquals(Files.readAllBytes(EXCHANGES.resolve("001-POST-leases/request.body")), s.body());
        assertEquals(recordedHeader("001-POST-leases", "Authorization"), s.header("Authorization"));
        assertEquals("application/x-www-form-urlencoded", s.header("Content-type"));
        assertEquals("68", s.header("Content-length"));
    }

    @Test
    void payloadSendsTheRecordedBodyByteForByte() throws Exception {
        byte[] recordedBody = Files.readAllBytes(EXCHANGES.resolve("002-POST-payloads/request.body"));
        int messageSize = Integer.parseInt(recordedHeader("002-POST-payloads", "Message-Size"));
        PayloadMessage message = PayloadMessage.parse(Arrays.copyOf(recordedBody, messageSize));
        int headerSize = message.headerSizeValue();
        PackHeader header = PackHeader.parse(Arrays.copyOfRange(recordedBody, messageSize, messageSize + headerSize));
        ObjectPackWriter pack = new ObjectPackWriter();
        int offset = messageSize + headerSize;
        for (PackEntry e : header.entries()) {
            byte[] object = Arrays.copyOfRange(recordedBody, offset, offset + (int) e.size());
            pack.add(e.hash(), e.size(), ObjectPackWriter.ObjectSource.ofBytes(object));
            offset += (int) e.size();
        }
        assertTrue(client.submitPayload(TOKEN_A, pack).isOk());
        Seen s = seen.remove();
        assertEquals("/api/v1/payloads", s.path());
        assertArrayEquals(recordedBody, s.body());
        assertEquals(Integer.toString(messageSize), s.header("Message-size"));
        assertEquals(recordedHeader("002-POST-payloads", "Authorization"), s.header("Authorization"));
        assertEquals(Integer.toString(recordedBody.length), s.header("Content-length"));
        assertTrue("100-continue".equalsIgnoreCase(s.header("Expect")));
    }

    @Test
    void commitAndDropSignTheToken() throws Exception {
        reply = "{\"final_revision\":2,\"status\":\"ok\"}";
        byte[] recordedCommit = Files.readAllBytes(EXCHANGES.resolve("004-POST-leases-token/request.body"));
        GatewayReply committed = client.commit(TOKEN_A, CommitRequest.parse(recordedCommit));
        assertEquals(2L, committed.finalRevision());
        Seen c = seen.remove();
        assertEquals("/api/v1/leases/" + TOKEN_A, c.path());
        assertArrayEquals(recordedCommit, c.body());
        assertEquals(recordedHeader("004-POST-leases-token", "Authorization"), c.header("Authorization"));

        String tokenC = "GMG4LYOJA4JYCTOBCUESBLDCH2QZFKLJBYQVXSLKVMSHQQ6OZ6FA====";
        reply = "{\"status\":\"ok\"}";
        assertTrue(client.drop(tokenC).isOk());
        Seen d = seen.remove();
        assertEquals("DELETE", d.method());
        assertEquals("/api/v1/leases/" + tokenC, d.path());
        assertEquals(0, d.body().length);
        assertEquals("0", d.header("Content-length"), "upstream's publisher sends Content-Length: 0");
        assertEquals(recordedHeader("010-DELETE-leases-token", "Authorization"), d.header("Authorization"));
    }

    @Test
    void logicalErrorsAreRepliesNotExceptions() {
        reply = "{\"reason\":\"invalid lease\",\"status\":\"error\"}";
        GatewayReply r = client.drop("nope");
        assertFalse(r.isOk());
        assertEquals("invalid lease", r.reason());
    }

    @Test
    void transportAndFormatFailuresRaise() {
        status = 400;
        reply = "invalid request body\n";
        GatewayException e = assertThrows(GatewayException.class, () -> client.drop("t"));
        assertTrue(e.getMessage().contains("HTTP 400: invalid request body"), e.getMessage());
        status = 200;
        reply = "<html>";
        assertThrows(GatewayException.class, () -> client.drop("t"));
        server.stop(0);
        assertThrows(GatewayException.class, () -> client.drop("t"));
    }

    private static String recordedHeader(String exchange, String name) throws Exception {
        List<String> values = new ArrayList<>();
        for (String line : Files.readString(EXCHANGES.resolve(exchange).resolve("request.headers")).split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && line.substring(0, colon).equalsIgnoreCase(name)) {
                values.add(line.substring(colon + 1).trim());
            }
        }
        return values.get(0);
    }
}
