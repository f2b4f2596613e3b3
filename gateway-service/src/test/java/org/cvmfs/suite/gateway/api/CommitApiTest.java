package org.cvmfs.suite.gateway.api;

import static io.restassured.RestAssured.given;
import static org.cvmfs.suite.gateway.api.LeaseApiTest.INVALID_HMAC;
import static org.cvmfs.suite.gateway.api.LeaseApiTest.INVALID_LEASE;
import static org.cvmfs.suite.gateway.testing.TestHost.KEY1;
import static org.cvmfs.suite.gateway.testing.TestHost.KEY2;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesRegex;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.cvmfs.suite.gateway.testing.ResetsReceivers;
import org.cvmfs.suite.gateway.receiver.Backend;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.gateway.repo.LeaseAndCommitLocks;
import org.cvmfs.suite.gateway.testing.Api;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.gateway.testing.MutableClock;
import org.cvmfs.suite.gateway.testing.RecordingReceiver;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayClient;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.gateway.LeasePath;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.HashAlgorithm;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.testing.Await;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Commits through the {@code Receiver} seam; the merging itself is the receiver's and tested there. */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
class CommitApiTest implements ResetsReceivers {
    /** The recorded commit of publication A (exchange 004). */
    static final String COMMIT_A = "{\"old_root_hash\":\"36648c0a923fdaca587f5440b541360c2d501ce3C\","
            + "\"new_root_hash\":\"eef5f225445aef7083aad5959208c27c80710da8C\","
            + "\"tag_name\":\"generic-2026-11-25T04:59:16Z\",\"tag_channel\":0,\"tag_description\":\"\"}";

    @Inject
    LeaseService leases;
    @Inject
    @Backend(GatewayUserConfig.BACKEND_NATIVE)
    RecordingReceiver receiver;
    @Inject
    MutableClock clock;
    @Inject
    LeaseAndCommitLocks locks;
    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    @BeforeEach
    void reset() {
        leases.cancelByPrefix(TestHost.REPO, "/");
        leases.cancelByPrefix(TestHost.OTHER_REPO, "/");
        receiver.reset();
    }

    @Test
    void commitPublishesAndEndsTheLease() {
        String token = Api.lease(KEY1, "capture.test/sw");
        Api.commit(KEY1, token, COMMIT_A).then().statusCode(200).body(equalTo("{\"final_revision\":2,\"status\":\"ok\"}"));
        RecordingReceiver.Call call = receiver.calls().get(0);
        assertEquals("capture.test/sw", call.lease().path().toWire());
        assertEquals("key1", call.lease().keyId());
        assertEquals("36648c0a923fdaca587f5440b541360c2d501ce3C", call.oldRoot().toSuffixedText());
        assertEquals("eef5f225445aef7083aad5959208c27c80710da8C", call.newRoot().toSuffixedText());
        assertEquals("generic-2026-11-25T04:59:16Z", call.tag().name());
        given().get("/api/v1/leases/" + token).then().statusCode(500);
        Api.commit(KEY1, token, COMMIT_A).then().body(equalTo(INVALID_LEASE));
        assertEquals(1, receiver.calls().size());
    }

    @Test
    void ourPublisherClientRunsAWholeTransaction() {
        GatewayClient client = new GatewayClient(URI.create("http://127.0.0.1:" + port + "/api/v1"), KEY1,
                Duration.ofMinutes(1), "cvmfs-suite-test");
        GatewayReply granted = client.acquire(LeasePath.parse("capture.test/client"), "publisher.example.org");
        assertTrue(granted.isOk(), granted.toString());
        assertTrue(client.acquire(LeasePath.parse("capture.test/client/sub"), "p").isPathBusy());
        byte[] object = "client object".getBytes(StandardCharsets.UTF_8);
        ObjectPackWriter pack = new ObjectPackWriter();
        pack.add(ContentHash.compute(HashAlgorithm.SHA1, object, ObjectSuffix.NONE), object.length,
                ObjectPackWriter.ObjectSource.ofBytes(object));
        assertTrue(client.submitPayload(granted.sessionToken(), pack).isOk());
        GatewayReply committed = client.commit(granted.sessionToken(), CommitRequest.parse(
                COMMIT_A.getBytes(StandardCharsets.UTF_8)));
        assertEquals(GatewayReply.committed(2), committed);
        assertEquals("invalid lease", client.drop(granted.sessionToken()).reason());
        assertEquals("publisher.example.org", receiver.calls().get(0).lease().hostname());
    }

    @Test
    void aFailedCommitKeepsTheLeaseAndCanBeRetried() {
        String token = Api.lease(KEY1, "capture.test/sw");
        receiver.failNext("merge_error");
        Api.commit(KEY1, token, COMMIT_A).then().body(equalTo("{\"reason\":\"merge_error\",\"status\":\"error\"}"));
        given().get("/api/v1/leases/" + token).then().statusCode(200);
        receiver.failNext("bug:catalog exploded");
        Api.commit(KEY1, token, COMMIT_A).then().statusCode(200).body(equalTo(
                "{\"reason\":\"runtime error: java.lang.IllegalStateException: catalog exploded\",\"status\":\"error\"}"));
        Api.commit(KEY1, token, COMMIT_A).then().body(equalTo("{\"final_revision\":2,\"status\":\"ok\"}"));
        assertEquals(3, receiver.calls().size());
    }

    @Test
    void unknownDroppedAndExpiredLeasesAreRefusedWithoutTouchingTheRepository() {
        Api.commit(KEY1, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA====", COMMIT_A)
                .then().body(equalTo(INVALID_LEASE));
        String dropped = Api.lease(KEY1, "capture.test/sw");
        Api.drop(KEY1, dropped);
        Api.commit(KEY1, dropped, COMMIT_A).then().body(equalTo(INVALID_LEASE));
        String expired = Api.lease(KEY1, "capture.test/sw");
        clock.advance(Duration.ofHours(2).plusMillis(1));
        Api.commit(KEY1, expired, COMMIT_A).then().body(equalTo(INVALID_LEASE));
        assertTrue(receiver.calls().isEmpty());
    }

    @Test
    void badRequestsAreRefusedBeforeTheReceiver() {
        String token = Api.lease(KEY1, "capture.test/sw");
        Api.publisher().header("Authorization", GatewayAuth.sign(KEY1, "not the token")).body(COMMIT_A.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .post("/api/v1/leases/" + token).then().body(equalTo(INVALID_HMAC));
        Api.commit(KEY1, token, "{\"old_root_hash\":").then().statusCode(400).body(equalTo("invalid request body\n"));
        Api.commit(KEY1, token, COMMIT_A.replace("eef5f225445aef7083aad5959208c27c80710da8C", "../../etc/passwd"))
                .then().body(matchesRegex("\\{\"reason\":\"invalid new_root_hash '../../etc/passwd': .*\",\"status\":\"error\"}"));
        Api.commit(KEY1, token, COMMIT_A.replace("ce3C", "ce3")).then()
                .body(equalTo("{\"reason\":\"invalid old_root_hash '36648c0a923fdaca587f5440b541360c2d501ce3':"
                        + " a root catalog hash ends in C\",\"status\":\"error\"}"));
        Api.commit(KEY1, token, "{}").then().body(matchesRegex(".*invalid old_root_hash ''.*"));
        assertTrue(receiver.calls().isEmpty());
        given().get("/api/v1/leases/" + token).then().statusCode(200);
    }

    /**
     * The seam only: each commit reaches the receiver with its own lease (path and key), in the
     * order committed, not the order leased, and ends only that lease. That disjoint changes
     * really merge in either order is {@code NativeCommitTest.disjointLeasesCommitInEitherOrder}.
     */
    @Test
    void disjointPublishersCommitInEitherOrder() {
        String sw = Api.lease(KEY1, "capture.test/sw");
        String data = Api.lease(KEY2, "other.test/restricted/x");
        String lib = Api.lease(KEY1, "capture.test/lib");
        Api.commit(KEY1, lib, COMMIT_A).then().body(equalTo("{\"final_revision\":2,\"status\":\"ok\"}"));
        given().get("/api/v1/leases/" + sw).then().statusCode(200);
        given().get("/api/v1/leases/" + data).then().statusCode(200);
        Api.commit(KEY2, data, COMMIT_A).then().body(equalTo("{\"final_revision\":3,\"status\":\"ok\"}"));
        Api.commit(KEY1, sw, COMMIT_A).then().body(equalTo("{\"final_revision\":4,\"status\":\"ok\"}"));
        assertEquals(java.util.List.of("capture.test/lib key1", "other.test/restricted/x key2", "capture.test/sw key1"),
                receiver.calls().stream().map(c -> c.lease().path().toWire() + " " + c.lease().keyId()).toList());
        given().get("/api/v1/leases").then().body(equalTo("{\"data\":{},\"status\":\"ok\"}"));
    }

    @Test
    void aRunningCommitBlocksNeitherOtherRepositoriesNorLeasing() throws Exception {
        String held = Api.lease(KEY1, "capture.test/sw");
        String other = Api.lease(KEY1, "other.test/sw");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        receiver.hold(entered, release);
        CompletableFuture<String> slow = CompletableFuture.supplyAsync(
                () -> Api.commit(KEY1, held, COMMIT_A).then().extract().asString());
        assertTrue(entered.await(60, TimeUnit.SECONDS), "the first commit reached the receiver");
        receiver.hold(null, null);
        Api.commit(KEY1, other, COMMIT_A).then().body(matchesRegex("\\{\"final_revision\":\\d+,\"status\":\"ok\"}"));
        given().get("/api/v1/leases").then().body(matchesRegex(".*capture.test/sw.*"));
        String more = Api.lease(KEY1, "capture.test/data");
        release.countDown();
        assertTrue(slow.get(60, TimeUnit.SECONDS).matches("\\{\"final_revision\":\\d+,\"status\":\"ok\"}"));
        // drops are serialised with the repository's commits (see aDropDuringARunningCommitWaits...)
        Api.drop(KEY1, more).then().body(equalTo("{\"status\":\"ok\"}"));
    }

    @Test
    void commitsOfOneRepositoryAreSerialised() throws Exception {
        String first = Api.lease(KEY1, "capture.test/a");
        String second = Api.lease(KEY1, "capture.test/b");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        receiver.hold(entered, release);
        CompletableFuture<String> a = CompletableFuture.supplyAsync(
                () -> Api.commit(KEY1, first, COMMIT_A).then().extract().asString());
        assertTrue(entered.await(60, TimeUnit.SECONDS));
        CompletableFuture<String> b = CompletableFuture.supplyAsync(
                () -> Api.commit(KEY1, second, COMMIT_A).then().extract().asString());
        ReentrantLock lock = locks.committing(TestHost.REPO);
        Await.until(lock::hasQueuedThreads, () -> "the second commit waits for the repository's lock");
        assertEquals(1, receiver.calls().size());
        release.countDown();
        assertTrue(a.get(60, TimeUnit.SECONDS).contains("\"status\":\"ok\""));
        assertTrue(b.get(60, TimeUnit.SECONDS).contains("\"status\":\"ok\""));
        assertEquals(2, receiver.calls().size());
    }

    /** Waits until {@code n} requests queue on the repository's commit lock. */
    private void awaitQueued(int n) throws InterruptedException {
        ReentrantLock lock = locks.committing(TestHost.REPO);
        Await.poll(() -> lock.getQueueLength() >= n, Await.DEFAULT_LIMIT);
        assertEquals(n, lock.getQueueLength(), "requests waiting for the commit lock");
    }

    @Test
    void aLeaseThatExpiresWhileQueuedBehindACommitNeverCommits() throws Exception {
        String running = Api.lease(KEY1, "capture.test/b");
        String queued = Api.lease(KEY1, "capture.test/a");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        receiver.hold(entered, release);
        CompletableFuture<String> first = CompletableFuture.supplyAsync(
                () -> Api.commit(KEY1, running, COMMIT_A).then().extract().asString());
        assertTrue(entered.await(60, TimeUnit.SECONDS));
        CompletableFuture<String> late = CompletableFuture.supplyAsync(
                () -> Api.commit(KEY1, queued, COMMIT_A).then().extract().asString());
        awaitQueued(1);
        clock.advance(Duration.ofHours(2).plusMillis(1));
        String successor = Api.lease(KEY2, "other.test/restricted/x");
        String overlapping = Api.lease(KEY1, "capture.test/a/sub");
        release.countDown();
        assertEquals("{\"final_revision\":2,\"status\":\"ok\"}", first.get(60, TimeUnit.SECONDS));
        assertEquals(INVALID_LEASE, late.get(60, TimeUnit.SECONDS));
        assertEquals(1, receiver.calls().size(), "the expired lease never reached the receiver");
        given().get("/api/v1/leases/" + overlapping).then().statusCode(200);
        Api.drop(KEY2, successor);
    }

    @Test
    void aDropDuringARunningCommitWaitsAndTheCommitWins() throws Exception {
        String token = Api.lease(KEY1, "capture.test/sw");
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        receiver.hold(entered, release);
        CompletableFuture<String> commit = CompletableFuture.supplyAsync(
                () -> Api.commit(KEY1, token, COMMIT_A).then().extract().asString());
        assertTrue(entered.await(60, TimeUnit.SECONDS));
        CompletableFuture<String> drop = CompletableFuture.supplyAsync(
                () -> Api.drop(KEY1, token).then().extract().asString());
        awaitQueued(1);
        assertTrue(!drop.isDone(), "the drop answered while the commit ran");
        release.countDown();
        assertEquals("{\"final_revision\":2,\"status\":\"ok\"}", commit.get(60, TimeUnit.SECONDS));
        assertEquals(INVALID_LEASE, drop.get(60, TimeUnit.SECONDS));
    }

    @Test
    void aDropThatTakesTheLockBeforeTheCommitWins() throws Exception {
        String token = Api.lease(KEY1, "capture.test/sw");
        ReentrantLock lock = locks.committing(TestHost.REPO);
        CompletableFuture<String> drop;
        CompletableFuture<String> commit;
        lock.lock();
        try {
            drop = CompletableFuture.supplyAsync(() -> Api.drop(KEY1, token).then().extract().asString());
            awaitQueued(1);
            commit = CompletableFuture.supplyAsync(() -> Api.commit(KEY1, token, COMMIT_A).then().extract().asString());
            awaitQueued(2);
        } finally {
            lock.unlock();
        }
        assertEquals("{\"status\":\"ok\"}", drop.get(60, TimeUnit.SECONDS));
        assertEquals(INVALID_LEASE, commit.get(60, TimeUnit.SECONDS));
        assertTrue(receiver.calls().isEmpty());
    }

    /** Our client's signed time stamp and nonce: granted once; the same recorded request again is refused. */
    @Test
    void aReplayedLeaseRequestOfOurClientIsRefused() {
        GatewayClient client = new GatewayClient(URI.create("http://127.0.0.1:" + port + "/api/v1"), KEY1,
                Duration.ofMinutes(1), "cvmfs-suite-test").replayProtected(clock);
        GatewayReply granted = client.acquire(LeasePath.parse("capture.test/replay"), "publisher.example.org");
        assertTrue(granted.isOk(), granted.toString());
        Api.drop(KEY1, granted.sessionToken());
        byte[] recorded = org.cvmfs.suite.protocol.gateway.LeaseRequest.replayProtected(
                LeasePath.parse("capture.test/replay"), "vm", clock.instant()).toWireBytes();
        Api.publisher().header("Authorization", GatewayAuth.sign(KEY1, recorded)).body(recorded).post("/api/v1/leases")
                .then().body(matchesRegex("\\{\"max_api_version\":2,\"session_token\":\"[A-Z2-7]{52}====\",\"status\":\"ok\"}"));
        leases.cancelByPrefix(TestHost.REPO, "/");
        Api.publisher().header("Authorization", GatewayAuth.sign(KEY1, recorded)).body(recorded).post("/api/v1/leases")
                .then().body(equalTo("{\"reason\":\"lease request replayed\",\"status\":\"error\"}"));
    }
}
