package org.cvmfs.suite.gateway.api;

import static io.restassured.RestAssured.given;
import static org.cvmfs.suite.gateway.testing.TestHost.KEY1;
import static org.cvmfs.suite.gateway.testing.TestHost.KEY2;
import static org.cvmfs.suite.gateway.testing.TestHost.STRANGER;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesRegex;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneId;
import org.cvmfs.suite.gateway.lease.GoFormat;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.gateway.testing.Api;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class LeaseApiTest {
    static final String GRANTED = "\\{\"max_api_version\":2,\"session_token\":\"[A-Z2-7]{52}====\",\"status\":\"ok\"}";
    static final String INVALID_HMAC = "{\"reason\":\"invalid_hmac\",\"status\":\"error\"}";
    static final String INVALID_LEASE = "{\"reason\":\"invalid lease\",\"status\":\"error\"}";

    @Inject
    LeaseService leases;
    @Inject
    MutableClock clock;
    @Inject
    RepositoryRegistry repositories;

    @BeforeEach
    void noLeases() {
        leases.cancelByPrefix(TestHost.REPO, "/");
        leases.cancelByPrefix(TestHost.OTHER_REPO, "/");
        repositories.setEnabled(TestHost.REPO, true);
    }

    @Test
    void welcome() {
        given().get("/api/v1").then().statusCode(200).contentType("application/json").body(equalTo(
                "{\"welcome\":\"You are in an open field on the west side of a white house with a boarded front door.\"}"));
    }

    @Test
    void repositories() {
        given().get("/api/v1/repos").then().statusCode(200).body(equalTo("{\"data\":{"
                + "\"capture.test\":{\"keys\":{\"key1\":\"/\"},\"enabled\":true},"
                + "\"gc.test\":{\"keys\":{\"key1\":\"/\"},\"enabled\":true},"
                + "\"other.test\":{\"keys\":{\"key1\":\"/\",\"key2\":\"/restricted\"},\"enabled\":true}},\"status\":\"ok\"}"));
        given().get("/api/v1/repos/capture.test").then().statusCode(200)
                .body(equalTo("{\"data\":{\"keys\":{\"key1\":\"/\"},\"enabled\":true},\"status\":\"ok\"}"));
        given().get("/api/v1/repos/nope.test").then().statusCode(200)
                .body(equalTo("{\"reason\":\"invalid_repo\",\"status\":\"error\"}"));
    }

    @Test
    void acquireListGetDrop() {
        String token = Api.lease(KEY1, "capture.test/sw");
        String expires = GoFormat.time(clock.instant().plus(Duration.ofHours(2)), ZoneId.systemDefault());
        String entry = "{\"key_id\":\"key1\",\"path\":\"capture.test/sw\",\"expires\":\"" + expires + "\",\"hostname\":\"vm\"}";
        given().get("/api/v1/leases").then().statusCode(200)
                .body(equalTo("{\"data\":{\"capture.test/sw\":" + entry + "},\"status\":\"ok\"}"));
        given().get("/api/v1/leases/" + token).then().statusCode(200).body(equalTo("{\"data\":" + entry + "}"));
        Api.drop(KEY1, token).then().statusCode(200).body(equalTo("{\"status\":\"ok\"}"));
        Api.drop(KEY1, token).then().statusCode(200).body(equalTo(INVALID_LEASE));
        given().get("/api/v1/leases/" + token).then().statusCode(500).contentType("text/plain")
                .body(equalTo("invalid lease\n"));
        given().get("/api/v1/leases").then().body(equalTo("{\"data\":{},\"status\":\"ok\"}"));
    }

    @Test
    void acquireReplyAndVersionNegotiation() {
        Api.acquire(KEY1, "capture.test/a").then().statusCode(200).body(matchesRegex(GRANTED));
        signedAcquire(KEY1, "{\"path\":\"capture.test/b\",\"api_version\":\"3\"}")
                .then().body(matchesRegex(GRANTED.replace(":2,", ":3,")));
        signedAcquire(KEY1, "{\"path\":\"capture.test/c\",\"api_version\":\"9\"}")
                .then().body(matchesRegex(GRANTED.replace(":2,", ":3,")));
        signedAcquire(KEY1, "{\"path\":\"capture.test/d\",\"api_version\":2}").then().body(matchesRegex(GRANTED));
        signedAcquire(KEY1, "{\"path\":\"capture.test/e\",\"api_version\":\"1\"}").then().statusCode(200)
                .body(equalTo("{\"reason\":\"incompatible request version: 1, min version: 2\",\"status\":\"error\"}"));
    }

    @Test
    void hostnameDefaultsToThePeerAddress() {
        String token = signedAcquire(KEY1, "{\"path\":\"capture.test/nohost\",\"api_version\":\"2\"}")
                .then().extract().path("session_token");
        String hostname = given().get("/api/v1/leases/" + token).then().extract().path("data.hostname");
        org.junit.jupiter.api.Assertions.assertTrue(hostname.startsWith("127.0.0.1:"), hostname);
    }

    @Test
    void malformedBodiesAreHttp400() {
        signedAcquire(KEY1, "{\"path\" : ").then().statusCode(400).contentType("text/plain")
                .header("X-Content-Type-Options", "nosniff").body(equalTo("invalid request body\n"));
        signedAcquire(KEY1, "{\"path\":\"capture.test/x\"}").then().statusCode(400).body(equalTo("invalid request body\n"));
        signedAcquire(KEY1, "{\"path\":\"capture.test/x\",\"api_version\":\"two\"}").then().statusCode(400);
        signedAcquire(KEY1, "[]").then().statusCode(400);
        signedAcquire(KEY1, "x".repeat(Replies.MAX_SIGNED_BODY + 1)).then().statusCode(413);
    }

    @Test
    void conflictsAreBusyWithTheHoldersTimeRemaining() {
        Api.lease(KEY1, "capture.test/sw");
        Api.acquire(KEY1, "capture.test/sw/sub").then().statusCode(200)
                .body(equalTo("{\"status\":\"path_busy\",\"time_remaining\":\"2h0m0s\"}"));
        clock.advance(Duration.ofMillis(90_500));
        Api.acquire(KEY1, "capture.test/").then()
                .body(equalTo("{\"status\":\"path_busy\",\"time_remaining\":\"1h58m29.5s\"}"));
        Api.acquire(KEY1, "capture.test/swap").then().body(matchesRegex(".*path_busy.*"));
        Api.acquire(KEY1, "capture.test/data").then().body(matchesRegex(GRANTED));
        Api.acquire(KEY1, "other.test/sw").then().body(matchesRegex(GRANTED));
    }

    @Test
    void expiredLeasesAreGoneAndThePathIsFreeAgain() {
        String token = Api.lease(KEY1, "capture.test/sw");
        clock.advance(Duration.ofHours(2));
        given().get("/api/v1/leases/" + token).then().statusCode(200);
        clock.advance(Duration.ofMillis(1));
        given().get("/api/v1/leases/" + token).then().statusCode(500);
        given().get("/api/v1/leases").then().body(equalTo("{\"data\":{},\"status\":\"ok\"}"));
        Api.commit(KEY1, token, "{}").then().body(equalTo(INVALID_LEASE));
        String again = Api.lease(KEY1, "capture.test/sw");
        Api.drop(KEY1, token).then().body(equalTo(INVALID_LEASE)); // purged by the new acquisition
        Api.drop(KEY1, again).then().body(equalTo("{\"status\":\"ok\"}"));
    }

    @Test
    void badSignaturesAreInvalidHmac() {
        byte[] body = "{\"path\" : \"capture.test/sw\", \"api_version\" : \"2\", \"hostname\" : \"vm\"}"
                .getBytes(StandardCharsets.UTF_8);
        String good = GatewayAuth.sign(KEY1, body);
        for (String header : new String[] {GatewayAuth.sign(new GatewayKey("key1", "wrong"), body),
                GatewayAuth.sign(new GatewayKey("nokey", "big_secret"), body), "key1", good.replace(" ", "  "),
                "key1 %%%", good.toUpperCase()}) {
            Api.publisher().header("Authorization", header).body(body).post("/api/v1/leases")
                    .then().statusCode(200).body(equalTo(INVALID_HMAC));
        }
        Api.publisher().body(body).post("/api/v1/leases").then().body(equalTo(INVALID_HMAC));
        String token = Api.lease(KEY1, "capture.test/sw");
        Api.publisher().header("Authorization", GatewayAuth.sign(KEY1, "other")).delete("/api/v1/leases/" + token)
                .then().body(equalTo(INVALID_HMAC));
        Api.publisher().header("Authorization", good).delete("/api/v1/leases/" + token).then().body(equalTo(INVALID_HMAC));
        Api.drop(KEY2, token).then().body(equalTo("{\"status\":\"ok\"}")); // any valid key may drop, as upstream
    }

    @Test
    void keysAreLimitedToTheirRepositoriesAndPaths() {
        Api.acquire(KEY2, "capture.test/sw").then().body(equalTo(reason("authorization error: invalid_key")));
        Api.acquire(STRANGER, "other.test/restricted").then().body(equalTo(reason("authorization error: invalid_key")));
        Api.acquire(KEY2, "other.test/sw").then().body(equalTo(reason("authorization error: invalid_path")));
        Api.acquire(KEY2, "other.test/").then().body(equalTo(reason("authorization error: invalid_path")));
        Api.acquire(KEY2, "other.test/restrictedx").then().body(equalTo(reason("authorization error: invalid_path")));
        Api.acquire(KEY2, "other.test/restricted/sub").then().body(matchesRegex(GRANTED));
    }

    @Test
    void hostilePathsAreRefusedWithAReason() {
        assertRefused("capture.test/../other.test", "lease path contains a '..' component");
        assertRefused("capture.test/sw/../../x", "lease path contains a '..' component");
        assertRefused("/capture.test/sw", "input has leading slash");
        assertRefused("capture.test", "missing repository name or subpath");
        assertRefused("capture.test//sw", "lease path contains an empty component");
        assertRefused("capture.test/" + "a".repeat(5000), "lease path is longer than 4096 bytes");
        assertRefused("nope.test/sw", "repository not found: nope.test");
        assertRefused("../capture.test/sw", "repository not found: ..");
        signedAcquire(KEY1, "{\"path\":\"capture.test/a\\u0000b\",\"api_version\":\"2\"}")
                .then().body(equalTo(reason("lease path contains the control character 0x0")));
        given().get("/api/v1/leases").then().body(equalTo("{\"data\":{},\"status\":\"ok\"}"));
    }

    @Test
    void disabledRepositoryRefusesNewLeasesOnly() {
        String token = Api.lease(KEY1, "capture.test/sw");
        repositories.setEnabled(TestHost.REPO, false);
        Api.acquire(KEY1, "capture.test/data").then().body(equalTo(reason("repo_disabled")));
        given().get("/api/v1/repos/capture.test").then()
                .body(equalTo("{\"data\":{\"keys\":{\"key1\":\"/\"},\"enabled\":false},\"status\":\"ok\"}"));
        Api.drop(KEY1, token).then().body(equalTo("{\"status\":\"ok\"}"));
    }

    @Test
    void routingAsHttprouter() {
        given().get("/api/v1/nope").then().statusCode(404).body(equalTo("404 page not found\n"));
        given().get("/nothing/here").then().statusCode(404);
        given().delete("/api/v1/leases").then().statusCode(405).body(equalTo("Method Not Allowed\n"))
                .header("Allow", matchesRegex(".*GET.*"));
        given().redirects().follow(false).get("/api/v1/repos/").then().statusCode(301)
                .header("Location", matchesRegex(".*/api/v1/repos$"));
        given().redirects().follow(false).get("/api/v1/").then().statusCode(301)
                .header("Location", matchesRegex(".*/api/v1$"));
        given().redirects().follow(false).post("/api/v1/leases/").then().statusCode(307);
        given().options("/api/v1/leases").then().statusCode(200).header("Allow", matchesRegex(".*POST.*"));
    }

    private void assertRefused(String path, String reason) {
        signedAcquire(KEY1, "{\"path\":\"" + path + "\",\"api_version\":\"2\"}").then().statusCode(200)
                .body(equalTo(reason(reason)));
    }

    static String reason(String reason) {
        return "{\"reason\":\"" + reason + "\",\"status\":\"error\"}";
    }

    static io.restassured.response.Response signedAcquire(GatewayKey key, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Api.publisher().header("Authorization", GatewayAuth.sign(key, bytes)).body(bytes).post("/api/v1/leases");
    }
}
