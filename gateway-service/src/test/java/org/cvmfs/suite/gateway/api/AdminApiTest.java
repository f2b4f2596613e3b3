package org.cvmfs.suite.gateway.api;

import static io.restassured.RestAssured.given;
import static org.cvmfs.suite.gateway.api.LeaseApiTest.GRANTED;
import static org.cvmfs.suite.gateway.api.LeaseApiTest.reason;
import static org.cvmfs.suite.gateway.testing.TestHost.ADMIN;
import static org.cvmfs.suite.gateway.testing.TestHost.KEY1;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesRegex;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.RepositoryStates;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.gateway.testing.Api;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.repository.RepositoryLayout;
import org.cvmfs.suite.protocol.repository.check.CheckOptions;
import org.cvmfs.suite.protocol.repository.check.CheckReport;
import org.cvmfs.suite.protocol.repository.check.RepositoryChecker;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class AdminApiTest {
    @Inject
    LeaseService leases;
    @Inject
    RepositoryRegistry repositories;
    @Inject
    MutableClock clock;

    @BeforeEach
    void reset() {
        leases.cancelByPrefix(TestHost.REPO, "/");
        leases.cancelByPrefix(TestHost.OTHER_REPO, "/");
        leases.cancelByPrefix(TestHost.GC_REPO, "/");
        repositories.setEnabled(TestHost.REPO, true);
    }

    @Test
    void enableAndDisable() {
        enable(ADMIN, "capture.test", "{\"enable\": false, \"wait\": true}").then().statusCode(200)
                .body(equalTo("{\"status\":\"ok\"}"));
        Api.acquire(KEY1, "capture.test/sw").then().body(equalTo(reason("repo_disabled")));
        enable(ADMIN, "capture.test", "{\"enable\": true}").then().body(equalTo("{\"status\":\"ok\"}"));
        Api.acquire(KEY1, "capture.test/sw").then().body(matchesRegex(GRANTED));
        enable(ADMIN, "capture.test", "{}").then().body(equalTo("{\"status\":\"ok\"}"));
        given().get("/api/v1/repos/capture.test").then().body(matchesRegex(".*\"enabled\":false.*"));
        enable(ADMIN, "nope.test", "{\"enable\": true}").then().body(equalTo(reason("invalid_repo")));
        enable(ADMIN, "capture.test", "{\"enable\": ").then().statusCode(400).body(equalTo("invalid request body\n"));
    }

    @Test
    void adminRefusalsSayWhichCheckFailed() {
        byte[] body = "{\"enable\":false}".getBytes(StandardCharsets.UTF_8);
        Api.publisher().body(body).post("/api/v1/repos/capture.test").then()
                .body(equalTo(reason("invalid_authorization_header")));
        Api.publisher().header("Authorization", "admin1").body(body).post("/api/v1/repos/capture.test").then()
                .body(equalTo(reason("invalid_authorization_header")));
        enable(new GatewayKey("nobody", "x"), "capture.test", "{\"enable\":false}").then()
                .body(equalTo(reason("invalid_key")));
        enable(KEY1, "capture.test", "{\"enable\":false}").then().body(equalTo(reason("no_admin_key")));
        enable(new GatewayKey("admin1", "wrong"), "capture.test", "{\"enable\":false}").then()
                .body(equalTo(reason("invalid_hmac")));
        given().get("/api/v1/repos/capture.test").then().body(matchesRegex(".*\"enabled\":true.*"));
    }

    @Test
    void cancelLeasesByPathPrefix() {
        String sw = Api.lease(KEY1, "capture.test/sw/a");
        String swap = Api.lease(KEY1, "capture.test/swap");
        String data = Api.lease(KEY1, "capture.test/data");
        String other = Api.lease(KEY1, "other.test/sw");
        cancel(ADMIN, "capture.test/sw").then().statusCode(200).body(equalTo("{\"status\":\"ok\"}"));
        given().get("/api/v1/leases/" + sw).then().statusCode(500);
        given().get("/api/v1/leases/" + swap).then().statusCode(500); // a string prefix, as upstream
        given().get("/api/v1/leases/" + data).then().statusCode(200);
        given().get("/api/v1/leases/" + other).then().statusCode(200);
        cancel(ADMIN, "capture.test/").then().body(equalTo("{\"status\":\"ok\"}"));
        given().get("/api/v1/leases/" + data).then().statusCode(500);
        given().get("/api/v1/leases/" + other).then().statusCode(200);
        cancel(ADMIN, "capture.test").then().body(equalTo(reason("missing repository name or subpath")));
        cancel(ADMIN, "").then().statusCode(400).body(equalTo("missing path argument\n"));
        cancel(ADMIN, "nope.test/").then().body(equalTo("{\"status\":\"ok\"}"));
        cancel(KEY1, "other.test/").then().body(equalTo(reason("no_admin_key")));
        Api.publisher().header("Authorization", GatewayAuth.sign(ADMIN, "/api/v1/leases-by-path/other.test/x"))
                .delete("/api/v1/leases-by-path/other.test/").then().body(equalTo(reason("invalid_hmac")));
        given().get("/api/v1/leases/" + other).then().statusCode(200);
    }

    @Test
    void specWorkedExampleOfTheCancelSignature() {
        // spec 3.5 (c): the MAC covers the decoded URL path, prefix included
        org.junit.jupiter.api.Assertions.assertEquals(
                "admin1 ZTFkMzk0YmU2Y2VjNzgzYWZiOWMyNWIzMjhkMDhkZTgyNjQxMzA2Mg==",
                GatewayAuth.sign(ADMIN, "/api/v1/leases-by-path/cvm19.cern.ch/sub"));
    }

    @Test
    void garbageCollectionDeletesWhatNoKeptRevisionNeedsAndNothingElse() throws Exception {
        RepositoryLayout layout = RepositoryStates.layout(TestHost.GC_REPO);
        ObjectStore store = new ObjectStore(layout.servedRoot());
        FileTime longAgo = FileTime.from(clock.instant().minus(Duration.ofDays(1)));
        ContentHash orphan = store.putCompressed("uploaded by a lease that was dropped".getBytes(StandardCharsets.UTF_8),
                HashAlgorithm.SHA1, ObjectSuffix.NONE);
        Files.setLastModifiedTime(store.pathOf(orphan), longAgo);
        Path killedUpload = layout.dataDir().resolve("txn/killed-upload");
        Files.writeString(killedUpload, "partial");
        Files.setLastModifiedTime(killedUpload, longAgo);
        ContentHash young = store.putCompressed("uploaded a minute ago".getBytes(StandardCharsets.UTF_8),
                HashAlgorithm.SHA1, ObjectSuffix.NONE);
        Files.setLastModifiedTime(store.pathOf(young), FileTime.from(clock.instant()));

        gc(ADMIN, "{\"repo\":\"gc.test\",\"dry_run\":true,\"verbose\":true}").then().statusCode(200)
                .body(matchesRegex("\\{\"output\":\"" + orphan.objectPath() + "\\\\nwould delete 1 object.*\",\"status\":\"ok\"}"));
        assertTrue(store.contains(orphan));

        String lease = Api.lease(KEY1, "gc.test/sw");
        gc(ADMIN, "{\"repo\":\"gc.test\"}").then()
                .body(equalTo(reason("garbage collection refused: 1 active lease(s) on gc.test")));
        Api.drop(KEY1, lease);

        gc(ADMIN, "{\"repo\":\"gc.test\",\"num_revisions\":1,\"verbose\":true}").then().statusCode(200)
                .body(matchesRegex("\\{\"output\":\"" + orphan.objectPath() + "\\\\ndeleted 1 object.*removed 1 leftover.*"));
        assertFalse(store.contains(orphan), "the orphan is gone");
        assertTrue(Files.notExists(killedUpload), "the killed upload's leftover is gone");
        assertTrue(store.contains(young), "what a live lease may have uploaded stays");
        CheckReport check = new RepositoryChecker(clock, Files.createTempDirectory("gc-check"))
                .checkLocal(layout, CheckOptions.full());
        assertTrue(check.passed(), () -> check.faults().toString());
    }

    @Test
    void garbageCollectionRefusals() {
        gc(ADMIN, "{\"repo\":\"capture.test\"}").then()
                .body(equalTo(reason("Garbage Collection is not enabled for capture.test")));
        gc(ADMIN, "{\"repo\":\"nope.test\"}").then().body(equalTo(reason("invalid_repo")));
        gc(ADMIN, "{\"repo\":\"capture.test\",\"timestamp\":\"yesterday\"}").then().statusCode(400)
                .body(equalTo("invalid request body\n"));
        gc(KEY1, "{\"repo\":\"capture.test\"}").then().body(equalTo(reason("no_admin_key")));
    }

    private static Response enable(GatewayKey key, String repo, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Api.publisher().header("Authorization", GatewayAuth.sign(key, bytes)).body(bytes)
                .post("/api/v1/repos/" + repo);
    }

    private static Response cancel(GatewayKey key, String remainder) {
        String path = "/api/v1/leases-by-path/" + remainder;
        return Api.publisher().header("Authorization", GatewayAuth.sign(key, path)).delete(path);
    }

    private static Response gc(GatewayKey key, String body) {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        return Api.publisher().header("Authorization", GatewayAuth.sign(key, bytes)).body(bytes).post("/api/v1/gc");
    }
}
