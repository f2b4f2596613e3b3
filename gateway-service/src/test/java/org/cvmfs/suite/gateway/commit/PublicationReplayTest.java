package org.cvmfs.suite.gateway.commit;

import org.cvmfs.suite.gateway.testing.ResetsReceivers;
import org.cvmfs.suite.gateway.receiver.Backend;
import static org.cvmfs.suite.gateway.testing.TestHost.KEY1;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.testing.Api;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.Published;
import org.cvmfs.suite.gateway.testing.ReceiverSwitch;
import org.cvmfs.suite.gateway.testing.Recorded;
import org.cvmfs.suite.gateway.testing.RepositoryStates;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.catalog.CatalogTestAccess;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayClient;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.history.Reflog;
import org.cvmfs.suite.protocol.history.Tag;
import org.cvmfs.suite.protocol.manifest.Manifest;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.testing.DirectorySnapshot;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Replays the two publications upstream's publisher sent through upstream's gateway (fixture
 * {@code upstream-gateway-publication}, exchanges 001-008) against our gateway with the native
 * receiver: same replies, and a published repository with upstream's namespace that passes
 * {@code check}.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class PublicationReplayTest implements ResetsReceivers {
    static final String BEFORE_ROOT = "36648c0a923fdaca587f5440b541360c2d501ce3";
    static final String A_PUBLISHER_ROOT = "eef5f225445aef7083aad5959208c27c80710da8";
    static final String B_PUBLISHER_ROOT = "06eacfa1551a99cdd89affb3b9ad6217a0066b5f";
    /** Upstream's merged roots of A: the base publication B was recorded against. */
    static final String A_UPSTREAM_ROOT = "65cb2f4851c2a8e44cf92151447d7e3157172db7";
    static final String A_UPSTREAM_NESTED = "6797fd0def3cb69e29e8cb3bf07a0c79868633e9";
    static final String GENERIC_MS = "generic-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";

    @Inject
    @Backend(GatewayUserConfig.BACKEND_NATIVE)
    ReceiverSwitch receivers;
    @Inject
    LeaseService leases;
    @Inject
    MutableClock clock;

    @TempDir
    Path scratch;

    @BeforeEach
    void nativeReceiver() {
        leases.cancelByPrefix(TestHost.REPO, "/");
        receivers.useNative();
    }

    @AfterEach
    void restore() {
        RepositoryStates.restore();
        receivers.useRecording();
    }

    @Test
    void publicationAFromBeforeThenBOnOurOwnHead() {
        RepositoryLayout layout = RepositoryStates.reset("before");
        Published published = new Published(layout, scratch);

        String a = acquire("001-POST-leases");
        payload("002-POST-payloads", a);
        payload("003-POST-payloads", a);
        commit("004-POST-leases-token", a).then().body(equalTo("{\"final_revision\":2,\"status\":\"ok\"}"));
        assertState(published, "after-a", 2, BEFORE_ROOT, A_PUBLISHER_ROOT);

        // B was recorded against upstream's result of A, whose catalogs our repository lacks
        String b = acquire("005-POST-leases");
        payload("006-POST-payloads", b);
        payload("007-POST-payloads", b);
        DirectorySnapshot beforeRefusal = DirectorySnapshot.of(layout.servedRoot());
        Response refused = commit("008-POST-leases-token", b);
        assertEquals("error", refused.path("status"), refused.asString());
        assertTrue(refused.<String>path("reason").startsWith("merge_error: old_root_hash " + A_UPSTREAM_ROOT + "C"),
                refused.asString());
        assertEquals(beforeRefusal, DirectorySnapshot.of(layout.servedRoot()), "a refused commit changes nothing");
        assertTrue(leases.active(b).isPresent(), "a failed commit keeps its lease");

        // the publisher uploads its base catalogs, and the same lease commits
        ObjectPackWriter base = new ObjectPackWriter();
        for (String hex : List.of(A_UPSTREAM_ROOT, A_UPSTREAM_NESTED)) {
            Path object = Fixtures.gatewayPublication().resolve("after-a/data/" + hex.substring(0, 2) + "/"
                    + hex.substring(2) + "C");
            base.add(ContentHash.parse(hex, ObjectSuffix.CATALOG), size(object), ObjectPackWriter.ObjectSource.ofFile(object));
        }
        GatewayClient client = new GatewayClient(URI.create("http://127.0.0.1:" + RestAssured.port + "/api/v1"), KEY1,
                Duration.ofMinutes(1), "cvmfs/2.12.0");
        assertTrue(client.submitPayload(b, base).isOk());
        commit("008-POST-leases-token", b).then().body(equalTo(Recorded.load("008-POST-leases-token").responseBody()));
        assertState(published, "after-b", 3, null, B_PUBLISHER_ROOT);
    }

    @Test
    void publicationBFromUpstreamsAfterAState() {
        RepositoryLayout layout = RepositoryStates.reset("after-a");
        Published published = new Published(layout, scratch);
        String b = acquire("005-POST-leases");
        payload("006-POST-payloads", b);
        payload("007-POST-payloads", b);
        commit("008-POST-leases-token", b).then().body(equalTo(Recorded.load("008-POST-leases-token").responseBody()));
        assertState(published, "after-b", 3, A_UPSTREAM_ROOT, B_PUBLISHER_ROOT);
    }

    /**
     * The served head has upstream's namespace for {@code state}, revision and tags as upstream's
     * receiver wrote them, the publisher's root in the reflog, and passes the checker.
     */
    private void assertState(Published published, String state, long revision, String previousRoot,
                             String publisherRoot) {
        Manifest manifest = published.manifest();
        assertEquals(revision, manifest.revision());
        try {
            assertEquals(CatalogTestAccess.expectedFacts(state), published.namespace());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Long> tags = published.tags().stream()
                .collect(Collectors.toMap(Tag::name, t -> t.target().revision()));
        assertEquals(revision + 2, tags.size(), "one named tag per revision, trunk, trunk-previous: " + tags);
        assertEquals(revision, tags.get(Tag.HEAD));
        assertEquals(revision - 1, tags.get(Tag.PREVIOUS_HEAD));
        assertTrue(tags.keySet().stream().anyMatch(n -> n.matches(GENERIC_MS) && tags.get(n) == revision),
                "the generic tag is renamed in milliseconds: " + tags);
        assertTrue(published.reflog().stream().map(Reflog.Entry::object).anyMatch(h -> h.toText().equals(publisherRoot)),
                "the publisher's root catalog is in the reflog");
        if (previousRoot != null) {
            assertEquals(previousRoot, published.read(t -> t.rootCatalog().previousRevision().orElseThrow().toText()));
            assertEquals(revision, (long) published.read(t -> t.rootCatalog().revision()));
        }
        CheckReport report = published.check(clock);
        assertTrue(report.passed(), report.faults().toString());
    }

    private String acquire(String exchange) {
        Recorded e = Recorded.load(exchange);
        Response r = Api.publisher().header("Authorization", e.headers().get("Authorization")).body(e.body())
                .post("/api/v1/leases");
        r.then().statusCode(200);
        String token = r.path("session_token");
        String recorded = json(e.responseBody()).get("session_token").toString();
        assertEquals(e.responseBody().replace(recorded, token), r.asString());
        return token;
    }

    /** Sends a recorded payload with its token replaced by {@code token} and the MAC recomputed. */
    private void payload(String exchange, String token) {
        Recorded e = Recorded.load(exchange);
        String message = e.messageText();
        String recordedToken = json(message).get("session_token").toString();
        byte[] newMessage = message.replace(recordedToken, token).getBytes(StandardCharsets.UTF_8);
        byte[] pack = e.pack();
        byte[] body = new byte[newMessage.length + pack.length];
        System.arraycopy(newMessage, 0, body, 0, newMessage.length);
        System.arraycopy(pack, 0, body, newMessage.length, pack.length);
        Api.publisher().header("Authorization", GatewayAuth.sign(KEY1, newMessage))
                .header("Message-Size", Integer.toString(newMessage.length)).body(body).post("/api/v1/payloads")
                .then().statusCode(200).body(equalTo(e.responseBody()));
    }

    private Response commit(String exchange, String token) {
        // the test clock stands still; two commits in one millisecond would want the same generic tag name
        clock.advance(Duration.ofSeconds(1));
        Recorded e = Recorded.load(exchange);
        Response r = Api.publisher().header("Authorization", GatewayAuth.sign(KEY1, token)).body(e.body())
                .post("/api/v1/leases/" + token);
        r.then().statusCode(200);
        return r;
    }

    private static Map<String, Object> json(String text) {
        try {
            @SuppressWarnings("unchecked")
            Map<String, Object> map = new ObjectMapper().readValue(text, Map.class);
            return map;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
