package org.cvmfs.suite.gateway.payload;

import static org.cvmfs.suite.gateway.testing.TestHost.KEY1;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.stream.Stream;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.testing.Api;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.Recorded;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayClient;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.gateway.PayloadMessage;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.pack.PackHeader;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class PayloadApiTest {
    /** zlib of "hello world\n" (spec 7.4) and its name. */
    static final byte[] HELLO = HexFormat.of().parseHex("789ccb48cdc9c95728cf2fca49e102001e720467");
    static final ContentHash HELLO_HASH = ContentHash.compute(HashAlgorithm.SHA1, HELLO, ObjectSuffix.NONE);

    @Inject
    LeaseService leases;
    @Inject
    MutableClock clock;
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;
    @ConfigProperty(name = "quarkus.http.limits.max-chunk-size")
    MemorySize maxChunkSize;

    String token;

    @BeforeEach
    void lease() {
        leases.cancelByPrefix(TestHost.REPO, "/");
        token = Api.lease(KEY1, "capture.test/sw");
    }

    @AfterEach
    void nothingHalfWritten() throws IOException {
        try (Stream<Path> txn = Files.list(storage().resolve("data/txn"))) {
            assertEquals(0, txn.count(), "temporary objects left in data/txn");
        }
    }

    /** A whole socket read (64 KiB on Linux) reaches the request thread as one piece, not eight. */
    @Test
    void aPackReachesTheRequestThreadInPiecesOfWholeSocketReads() {
        assertTrue(maxChunkSize.asLongValue() >= 64 * 1024, "max-chunk-size " + maxChunkSize.asLongValue());
    }

    @Test
    void recordedPacksLandObjectForObject() throws IOException {
        for (String exchange : new String[] {"002-POST-payloads", "003-POST-payloads"}) {
            Recorded r = Recorded.load(exchange);
            legacy(KEY1, withToken(r), r.pack()).then().statusCode(200).body(equalTo("{\"status\":\"ok\"}"));
            PackHeader header = PackHeader.parse(Arrays.copyOf(r.pack(),
                    PayloadMessage.parse(r.message()).headerSizeValue()));
            for (var entry : header.entries()) {
                Path stored = storage().resolve("data").resolve(entry.hash().objectPath());
                Path upstream = Fixtures.gatewayPublication().resolve("after-a/data").resolve(entry.hash().objectPath());
                assertArrayEquals(Files.readAllBytes(upstream), Files.readAllBytes(stored), entry.hash().toString());
            }
        }
        var stats = leases.statistics(leases.active(token).orElseThrow());
        assertEquals(14, stats.chunksAdded() + stats.catalogsAdded() + stats.chunksDuplicated(),
                "every pack entry counted once, new or already stored");
    }

    @Test
    void tokenInUrlFormIsAccepted() {
        byte[] header = header(HELLO_HASH, HELLO.length);
        byte[] message = PayloadMessage.of("ignored", PackHeader.digestOf(header), header.length).toWireBytes();
        Api.publisher().header("Authorization", GatewayAuth.sign(KEY1, token))
                .header("Message-Size", Integer.toString(message.length))
                .body(concat(message, header, HELLO)).post("/api/v1/payloads/" + token)
                .then().statusCode(200).body(equalTo("{\"status\":\"ok\"}"));
        assertTrue(Files.isRegularFile(object(HELLO_HASH)));
    }

    @Test
    void ourClientUploadsWithExpectContinue() {
        byte[] big = new byte[3 * 1024 * 1024];
        new java.util.Random(7).nextBytes(big);
        ContentHash bigHash = ContentHash.compute(HashAlgorithm.SHA1, big, ObjectSuffix.PARTIAL);
        ObjectPackWriter pack = new ObjectPackWriter();
        pack.add(bigHash, big.length, ObjectPackWriter.ObjectSource.ofBytes(big));
        pack.add(HELLO_HASH, HELLO.length, ObjectPackWriter.ObjectSource.ofBytes(HELLO));
        GatewayClient client = new GatewayClient(URI.create("http://127.0.0.1:" + port + "/api/v1"), KEY1,
                Duration.ofMinutes(2), "cvmfs-suite-test");
        assertTrue(client.submitPayload(token, pack).isOk());
        assertTrue(Files.isRegularFile(object(bigHash)));
    }

    @Test
    void digestMismatchIsRefusedAndNothingStored() {
        byte[] data = fresh();
        ContentHash name = ContentHash.compute(HashAlgorithm.SHA1, data, ObjectSuffix.NONE);
        byte[] header = header(name, data.length);
        payload(token, "0".repeat(40), header, data).then().statusCode(200)
                .body(startsWith("{\"reason\":\"other_error: payload_digest 0000000000000000000000000000000000000000"
                        + " does not match the pack header"));
        assertFalse(Files.exists(object(name)));
    }

    @Test
    void objectNotMatchingItsNameIsRefused() {
        byte[] data = fresh();
        ContentHash name = ContentHash.compute(HashAlgorithm.SHA1, data, ObjectSuffix.NONE);
        byte[] forged = data.clone();
        forged[3] ^= 0x20;
        byte[] header = header(name, data.length);
        payload(token, PackHeader.digestOf(header), header, forged).then()
                .body(startsWith("{\"reason\":\"other_error: pack object 1 of 1: object bytes hash to "));
        assertFalse(Files.exists(object(name)));
    }

    @Test
    void truncatedPackIsRefused() {
        byte[] data = fresh();
        ContentHash name = ContentHash.compute(HashAlgorithm.SHA1, data, ObjectSuffix.NONE);
        byte[] header = header(name, data.length);
        payload(token, PackHeader.digestOf(header), header, Arrays.copyOf(data, 11)).then()
                .body(equalTo("{\"reason\":\"other_error: pack object 1 of 1: object " + name
                        + " truncated: 11 of " + data.length + " bytes\",\"status\":\"error\"}"));
        assertFalse(Files.exists(object(name)));
        byte[] shortHeader = Arrays.copyOf(header, 30);
        payload(token, PackHeader.digestOf(header), header.length, shortHeader).then()
                .body(equalTo("{\"reason\":\"other_error: object pack header truncated: 30 of " + header.length
                        + " bytes\",\"status\":\"error\"}"));
    }

    @Test
    void malformedHeadersAndSizesAreRefused() {
        byte[] header = "V2\nS20\nN2\n--\nC ff049c626904064d641feca0e9936e5b211807c6 20\n".getBytes(StandardCharsets.US_ASCII);
        payload(token, PackHeader.digestOf(header), header, HELLO).then()
                .body(equalTo("{\"reason\":\"other_error: pack header announces N2 but has 1 index line(s)\","
                        + "\"status\":\"error\"}"));
        payload(token, "x", 20_000_000, new byte[0]).then()
                .body(equalTo("{\"reason\":\"other_error: header_size 20000000 is outside 1..10000000\","
                        + "\"status\":\"error\"}"));
    }

    @Test
    void messageProblemsAreHttp400() {
        byte[] message = PayloadMessage.of(token, "d", 59).toWireBytes();
        sendRaw(null, GatewayAuth.sign(KEY1, message), message).then().statusCode(400)
                .body(equalTo("missing message-size header\n"));
        sendRaw("ten", GatewayAuth.sign(KEY1, message), message).then().statusCode(400)
                .body(equalTo("missing message-size header\n"));
        sendRaw("999999999", GatewayAuth.sign(KEY1, message), message).then().statusCode(400)
                .body(equalTo("message-size 999999999 exceeds 65536 bytes\n"));
        sendRaw(Integer.toString(message.length + 10), GatewayAuth.sign(KEY1, message), message).then()
                .statusCode(400).body(equalTo("invalid request body\n"));
        byte[] notJson = "{\"session_token\" : ".getBytes(StandardCharsets.UTF_8);
        sendRaw(Integer.toString(notJson.length), GatewayAuth.sign(KEY1, notJson), notJson).then().statusCode(400)
                .body(equalTo("invalid request body\n"));
        byte[] badSize = new PayloadMessage(token, "d", "59 bytes", "2").toWireBytes();
        sendRaw(Integer.toString(badSize.length), GatewayAuth.sign(KEY1, badSize), badSize).then().statusCode(400)
                .body(equalTo("invalid header_size\n"));
    }

    @Test
    void leaseAndSignatureAreChecked() {
        byte[] data = fresh();
        ContentHash name = ContentHash.compute(HashAlgorithm.SHA1, data, ObjectSuffix.NONE);
        byte[] header = header(name, data.length);
        String digest = PackHeader.digestOf(header);
        payload("AAAA====", digest, header, data).then().body(equalTo("{\"reason\":\"invalid lease\",\"status\":\"error\"}"));
        byte[] message = PayloadMessage.of(token, digest, header.length).toWireBytes();
        legacy(new GatewayKey("key1", "wrong"), message, concat(header, data)).then()
                .body(equalTo("{\"reason\":\"invalid_hmac\",\"status\":\"error\"}"));
        clock.advance(Duration.ofHours(2).plusSeconds(1));
        payload(token, digest, header, data).then().body(equalTo("{\"reason\":\"invalid lease\",\"status\":\"error\"}"));
        assertFalse(Files.exists(object(name)));
    }

    /** Bytes no other test stores. */
    private static byte[] fresh() {
        return ("object of " + java.util.UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    }

    private Response payload(String leaseToken, String digest, byte[] header, byte[] objects) {
        return payload(leaseToken, digest, header.length, concat(header, objects));
    }

    private Response payload(String leaseToken, String digest, int headerSize, byte[] pack) {
        byte[] message = PayloadMessage.of(leaseToken, digest, headerSize).toWireBytes();
        return legacy(KEY1, message, pack);
    }

    private static Response legacy(GatewayKey key, byte[] message, byte[] pack) {
        return Api.publisher().header("Authorization", GatewayAuth.sign(key, message))
                .header("Message-Size", Integer.toString(message.length))
                .body(concat(message, pack)).post("/api/v1/payloads");
    }

    private static Response sendRaw(String messageSize, String authorization, byte[] body) {
        var request = Api.publisher().header("Authorization", authorization).body(body);
        if (messageSize != null) {
            request = request.header("Message-Size", messageSize);
        }
        return request.post("/api/v1/payloads");
    }

    private byte[] withToken(Recorded r) {
        PayloadMessage m = PayloadMessage.parse(r.message());
        return PayloadMessage.of(token, m.payloadDigest(), m.headerSizeValue()).toWireBytes();
    }

    static byte[] header(ContentHash hash, int size) {
        return ("V2\nS" + size + "\nN1\n--\nC " + hash.toSuffixedText() + " " + size + "\n")
                .getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static Path storage() {
        return GatewayTestResource.host().storage(TestHost.REPO);
    }

    private static Path object(ContentHash hash) {
        return storage().resolve("data").resolve(hash.objectPath());
    }
}
