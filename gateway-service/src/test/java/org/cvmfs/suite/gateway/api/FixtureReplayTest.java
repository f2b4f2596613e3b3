package org.cvmfs.suite.gateway.api;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.gateway.testing.ResetsReceivers;
import org.cvmfs.suite.gateway.receiver.Backend;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.testing.Api;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.Recorded;
import org.cvmfs.suite.gateway.testing.RecordingReceiver;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.PayloadMessage;
import org.cvmfs.suite.protocol.pack.PackHeader;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replays every recorded exchange of the upstream publication, rewriting only lease tokens and
 * the MACs over them, and expects upstream's replies. Values that vary per run (token,
 * time_remaining, expires) are compared by form. Commits go through the recording receiver,
 * which counts revisions from 1 as the fixture repository does.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class FixtureReplayTest implements ResetsReceivers {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "[A-Z2-7]{52}====";

    @Inject
    LeaseService leases;
    @Inject
    @Backend(GatewayUserConfig.BACKEND_NATIVE)
    RecordingReceiver receiver;

    /** Recorded token to the token our gateway handed out for the same acquisition. */
    private final Map<String, String> tokens = new HashMap<>();

    @BeforeEach
    void reset() {
        leases.cancelByPrefix(TestHost.REPO, "/");
        leases.cancelByPrefix(TestHost.OTHER_REPO, "/");
        receiver.reset();
    }

    @Test
    void replayAllExchangesInOrder() throws Exception {
        List<String> exchanges;
        try (var s = Files.list(Fixtures.gatewayPublication().resolve("exchanges"))) {
            exchanges = s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
        }
        assertEquals(17, exchanges.size());
        for (String name : exchanges) {
            Recorded r = Recorded.load(name);
            Response response = send(r);
            assertEquals(r.status(), response.statusCode(), name);
            String body = response.asString();
            assertReplyMatches(r, body);
            if (r.target().equals("/api/v1/leases") && r.method().equals("POST") && body.contains("session_token")) {
                String recordedToken = JSON.readTree(r.responseBody()).get("session_token").asText();
                tokens.put(recordedToken, JSON.readTree(body).get("session_token").asText());
            }
        }
        assertEquals(2, receiver.calls().size());
        RecordingReceiver.Call a = receiver.calls().get(0);
        assertEquals("capture.test/sw", a.lease().path().toWire());
        assertEquals("eef5f225445aef7083aad5959208c27c80710da8C", a.newRoot().toSuffixedText());
        assertEquals("generic-2026-11-25T04:59:16Z", a.tag().name());
        assertEquals("06eacfa1551a99cdd89affb3b9ad6217a0066b5fC", receiver.calls().get(1).newRoot().toSuffixedText());
        given().get("/api/v1/leases").then().statusCode(200);
        assertTrue(leases.active().isEmpty(), "every lease was committed or dropped");
        assertEveryUploadedObjectLanded(exchanges);
    }

    private Response send(Recorded r) {
        RequestSpecification request = Api.publisher();
        byte[] body = r.body();
        String target = r.target();
        String authorization = r.headers().get("Authorization");
        if (target.startsWith("/api/v1/leases/")) {
            String token = ourToken(target.substring("/api/v1/leases/".length()));
            target = "/api/v1/leases/" + token;
            if (authorization != null) {
                authorization = GatewayAuth.sign(TestHost.KEY1, token);
            }
        }
        if (target.equals("/api/v1/payloads")) {
            PayloadMessage m = PayloadMessage.parse(r.message());
            byte[] message = PayloadMessage.of(ourToken(m.sessionToken()), m.payloadDigest(), m.headerSizeValue())
                    .toWireBytes();
            assertEquals(r.messageSize(), message.length, "same token length, same Message-Size");
            body = concat(message, r.pack());
            authorization = GatewayAuth.sign(TestHost.KEY1, message);
            request = request.header("Message-Size", Integer.toString(message.length));
        }
        if (authorization != null) {
            request = request.header("Authorization", authorization);
        }
        if (body.length > 0) {
            request = request.body(body);
        }
        return request.request(r.method(), target);
    }

    private String ourToken(String recorded) {
        String ours = tokens.get(recorded);
        if (ours == null) {
            throw new AssertionError("no acquisition replayed for recorded token " + recorded);
        }
        return ours;
    }

    private static void assertReplyMatches(Recorded r, String actual) throws Exception {
        String expected = r.responseBody();
        if (r.target().equals("/api/v1/repos")) {
            // our test host serves a second repository; capture.test's entry must be upstream's
            assertEquals(JSON.readTree(expected).get("data").get("capture.test"),
                    JSON.readTree(actual).get("data").get("capture.test"), r.name());
            return;
        }
        String pattern = java.util.regex.Pattern.quote(expected)
                .replaceAll("[A-Z2-7]{52}====", "\\\\E" + TOKEN + "\\\\Q")
                .replaceAll("\"time_remaining\":\"[^\"]*\"", "\"time_remaining\":\"\\\\E(\\\\d+h)?(\\\\d+m)?\\\\d+(\\\\.\\\\d+)?s\\\\Q\"")
                .replaceAll("\"expires\":\"[^\"]*\"",
                        "\"expires\":\"\\\\E\\\\d{4}-\\\\d\\\\d-\\\\d\\\\d \\\\d\\\\d:\\\\d\\\\d:\\\\d\\\\d(\\\\.\\\\d{1,3})? [+-]\\\\d{4} \\\\S+\\\\Q\"");
        assertTrue(actual.matches(pattern), r.name() + ": expected upstream's " + expected + ", got " + actual);
    }

    private static void assertEveryUploadedObjectLanded(List<String> exchanges) throws Exception {
        Path stored = GatewayTestResource.host().storage(TestHost.REPO).resolve("data");
        Path upstream = Fixtures.gatewayPublication().resolve("after-b/data");
        int objects = 0;
        for (String name : exchanges) {
            if (!name.contains("payloads")) {
                continue;
            }
            Recorded r = Recorded.load(name);
            int headerSize = PayloadMessage.parse(r.message()).headerSizeValue();
            for (var e : PackHeader.parse(Arrays.copyOf(r.pack(), headerSize)).entries()) {
                String path = e.hash().objectPath();
                assertArrayEquals(Files.readAllBytes(upstream.resolve(path)), Files.readAllBytes(stored.resolve(path)),
                        path + " of " + name);
                objects++;
            }
        }
        assertEquals(17, objects);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
