package org.cvmfs.suite.protocol.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.atomic.AtomicInteger;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;

class GatewayAuthTest {
    private static final GatewayKey KEY1 = new GatewayKey("key1", "big_secret");
    private static final String TOKEN = "AAAQEAYEAUDAOCAJBIFQYDIOB4IBCEQTCQKRMFYYDENBWHA5DYPQ====";

    @Test
    void specExampleLeaseAcquisition() {
        String body = "{\"path\" : \"cvm19.cern.ch/sub/dir\", \"api_version\" : \"2\", \"hostname\" : \"publisher1.example.org\"}";
        assertEquals(94, body.length());
        assertEquals("ff62ac0b43babef49c25eff9984ef76946347874", GatewayAuth.hexHmac("big_secret", bytes(body)));
        assertEquals("key1 ZmY2MmFjMGI0M2JhYmVmNDljMjVlZmY5OTg0ZWY3Njk0NjM0Nzg3NA==", GatewayAuth.sign(KEY1, body));
    }

    @Test
    void specExampleToken() {
        assertEquals("key1 M2Y3YjlmY2VhZWE4ODdiNGU0ZDUyNzU4NjgxZWViNTg2MDNiMzQ0Nw==", GatewayAuth.sign(KEY1, TOKEN));
    }

    @Test
    void specExampleAdminPath() {
        GatewayKey admin = new GatewayKey("admin1", "admin_secret");
        assertEquals("admin1 ZTFkMzk0YmU2Y2VjNzgzYWZiOWMyNWIzMjhkMDhkZTgyNjQxMzA2Mg==",
                GatewayAuth.sign(admin, "/api/v1/leases-by-path/cvm19.cern.ch/sub"));
    }

    @Test
    void specExampleLegacyPayload() {
        String message = "{\"session_token\" : \"" + TOKEN + "\", \"payload_digest\" : "
                + "\"981ac09f1eef3c675af1cbeab7504c97907a871a\", \"header_size\" : \"59\", \"api_version\" : \"2\"}";
        assertEquals(184, message.length());
        assertEquals(message, PayloadMessage.of(TOKEN, "981ac09f1eef3c675af1cbeab7504c97907a871a", 59).toWire());
        assertEquals("key1 OTA5MjFhNmNkMjhjNjk3NmFhNDkzYTdmMTYzMmRjYmNjYTk5ZjQ2NQ==", GatewayAuth.sign(KEY1, message));
    }

    @Test
    void everyRecordedAuthorizationVerifies() throws Exception {
        Path fixture = Fixtures.gatewayPublication();
        JsonNode facts = Fixtures.gatewayPublicationFacts();
        AtomicInteger checked = new AtomicInteger();
        for (JsonNode exchange : facts.get("exchanges")) {
            if (!exchange.has("authorization")) {
                continue;
            }
            Path dir = fixture.resolve("exchanges").resolve(exchange.get("dir").asText());
            byte[] input = hmacInput(dir);
            String header = exchange.get("authorization").asText();
            assertEquals(header, GatewayAuth.sign(KEY1, input), dir.toString());
            assertEquals(exchange.get("hmac_hex").asText(), GatewayAuth.hexHmac("big_secret", input));
            GatewayAuth.Credentials c = GatewayAuth.parse(header).orElseThrow();
            assertEquals("key1", c.keyId());
            assertTrue(GatewayAuth.verify(c, KEY1, input));
            assertFalse(GatewayAuth.verify(c, new GatewayKey("key1", "other_secret"), input));
            checked.incrementAndGet();
        }
        assertEquals(14, checked.get());
    }

    /** What the recorded request signed: the token for commit/drop, Message-Size bytes for payloads, else the body. */
    static byte[] hmacInput(Path exchange) throws Exception {
        String line = Files.readString(exchange.resolve("request.line"));
        String headers = Files.readString(exchange.resolve("request.headers"));
        byte[] body = Files.readAllBytes(exchange.resolve("request.body"));
        String target = line.split(" ")[1];
        if (target.startsWith("/api/v1/leases/")) {
            return bytes(target.substring("/api/v1/leases/".length()));
        }
        for (String h : headers.split("\r\n")) {
            if (h.toLowerCase().startsWith("message-size:")) {
                return Arrays.copyOf(body, Integer.parseInt(h.substring(13).trim()));
            }
        }
        return body;
    }

    @Test
    void malformedHeadersAreRefused() {
        String good = GatewayAuth.sign(KEY1, TOKEN);
        assertTrue(GatewayAuth.parse(good).isPresent());
        assertTrue(GatewayAuth.parse(null).isEmpty());
        assertTrue(GatewayAuth.parse("").isEmpty());
        assertTrue(GatewayAuth.parse("key1").isEmpty());
        assertTrue(GatewayAuth.parse("key1 ").isEmpty());
        assertTrue(GatewayAuth.parse(" key1").isEmpty());
        assertTrue(GatewayAuth.parse(good.replace(" ", "  ")).isEmpty());
        assertTrue(GatewayAuth.parse(good + " extra").isEmpty());
        assertTrue(GatewayAuth.parse("key1 not*base64!").isEmpty());
    }

    @Test
    void uppercaseHexAndRawMacAreRejected() {
        String hex = GatewayAuth.hexHmac("big_secret", bytes(TOKEN));
        String upper = "key1 " + Base64.getEncoder().encodeToString(bytes(hex.toUpperCase()));
        assertFalse(GatewayAuth.verify(GatewayAuth.parse(upper).orElseThrow(), KEY1, bytes(TOKEN)));
        String truncated = "key1 " + Base64.getEncoder().encodeToString(bytes(hex.substring(0, 39)));
        assertFalse(GatewayAuth.verify(GatewayAuth.parse(truncated).orElseThrow(), KEY1, bytes(TOKEN)));
        assertFalse(GatewayAuth.verify(GatewayAuth.parse(GatewayAuth.sign(KEY1, TOKEN)).orElseThrow(), KEY1,
                bytes(TOKEN + "x")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
