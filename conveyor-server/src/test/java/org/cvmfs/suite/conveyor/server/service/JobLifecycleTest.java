package org.cvmfs.suite.conveyor.server.service;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.cvmfs.suite.conveyor.server.testing.ConveyorTestServer;
import org.cvmfs.suite.conveyor.server.testing.JobMessages;
import org.cvmfs.suite.conveyor.server.testing.Signed;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;
import org.cvmfs.suite.protocol.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A job's life through the server, the test playing upstream's clients and our worker: rows in
 * {@code conveyor_job} and {@code Jobs}, messages on the broker, dependencies, retries with
 * backoff, cancel, listing and unknown ids. Each test uses a repository name of its own.
 */
@QuarkusTest
@WithTestResource(ConveyorTestServer.class)
class JobLifecycleTest {
    static JobMessages messages;
    ConveyorTestServer.Services services;

    @BeforeEach
    void connect() throws Exception {
        services = ConveyorTestServer.services();
        synchronized (JobLifecycleTest.class) {
            if (messages == null) {
                // upstream's declarations first, on objects the server has not created yet
                messages = JobMessages.collect(services);
            }
        }
    }

    @AfterAll
    static void close() throws IOException {
        if (messages != null) {
            messages.close();
            messages = null;
        }
    }

    @Test
    void submitRecordsTheJobAndPublishesUpstreamsMessage() throws Exception {
        String repo = repo();
        String id = submit("{\"JobName\":\"demo\",\"Repository\":\"" + repo + "\",\"Payload\":\"script|http://h/x.sh\",\"LeasePath\":\"/a\",\"Dependencies\":[]}");
        Map<String, Object> row = job(id);
        assertEquals("demo", row.get("job_name"));
        assertEquals(repo, row.get("repository"));
        assertEquals("script|http://h/x.sh", row.get("payload"));
        assertEquals("/a", row.get("lease_path"));
        assertEquals("", row.get("dependencies"));
        assertNotNull(row.get("submit_time"));
        assertFalse(upstreamRow(id).containsKey("id"), "Jobs keeps upstream's meaning: written at completion");

        JobMessages.Message m = messages.await(services.newJobExchange(), id, 1);
        assertEquals("", m.routingKey());
        assertEquals("{\"ID\":\"" + id + "\",\"JobName\":\"demo\",\"Repository\":\"" + repo
                + "\",\"Payload\":\"script|http://h/x.sh\",\"LeasePath\":\"/a\",\"Dependencies\":[],\"Attempt\":1}", m.body());
        assertEquals(2, m.properties().getDeliveryMode());
        assertEquals("text/json", m.properties().getContentType());
        assertNotNull(m.properties().getTimestamp());
        assertEquals("queued", job(id).get("state"));
    }

    @Test
    void completionIsStoredBeforeTheReplyAndAnnounced() throws Exception {
        String repo = repo();
        String id = submit(spec(repo, List.of()));
        messages.await(services.newJobExchange(), id, 1);
        Signed.post("/api/v1/jobs/" + id + "/start", "{\"WorkerName\":\"w1\",\"Attempt\":1}")
                .then().statusCode(200).body(equalTo("{\"Status\":\"ok\"}"));
        assertEquals("running", job(id).get("state"));
        assertEquals("w1", job(id).get("worker_name"));

        String result = "{\"ID\":\"" + id + "\",\"JobName\":\"\",\"Repository\":\"" + repo + "\",\"Payload\":\"\",\"LeasePath\":\"/\","
                + "\"Dependencies\":null,\"WorkerName\":\"w1\",\"StartTime\":\"2019-06-05T10:11:12.123456789+02:00\","
                + "\"FinishTime\":\"2019-06-05T10:11:13.5+02:00\",\"Successful\":true,\"ErrorMessage\":\"\",\"Attempt\":1,\"Log\":\"hello\\n\"}";
        Signed.post("/jobs/complete", result).then().statusCode(200).body(equalTo("{\"Status\":\"ok\"}"));
        // the reply came after the commit: both rows are there now, no waiting
        Map<String, Object> up = upstreamRow(id);
        assertEquals(true, up.get("successful"));
        assertEquals("w1", up.get("workername"));
        assertEquals("2019-06-05 08:11:12.123457", up.get("starttime").toString().replaceAll("0+$", ""));
        assertEquals("succeeded", job(id).get("state"));
        assertEquals("hello\n", job(id).get("log"));

        JobMessages.Message done = messages.await(services.completedJobExchange(), id, 1);
        assertEquals("success", done.routingKey());
        assertEquals("{\"ID\":\"" + id + "\",\"Successful\":true}", done.body());

        Signed.get("/jobs/complete", "full=false&id=" + id).then().statusCode(200)
                .body(equalTo("{\"Status\":\"ok\",\"IDs\":[{\"ID\":\"" + id + "\",\"Successful\":true}]}"));
        Signed.get("/jobs/complete", "full=true&id=" + id).then().statusCode(200)
                .body(equalTo("{\"Status\":\"ok\",\"Jobs\":[{\"ID\":\"" + id + "\",\"JobName\":\"\",\"Repository\":\"" + repo
                        + "\",\"Payload\":\"\",\"LeasePath\":\"/\",\"Dependencies\":null,\"WorkerName\":\"w1\","
                        + "\"StartTime\":\"2019-06-05T08:11:12.123457Z\",\"FinishTime\":\"2019-06-05T08:11:13.5Z\","
                        + "\"Successful\":true,\"ErrorMessage\":\"\"}]}"));

        // a second result for a finished job (redelivery after a lost ack) changes nothing
        Signed.post("/jobs/complete", result.replace("\"Successful\":true", "\"Successful\":false"))
                .then().statusCode(200).body(equalTo("{\"Status\":\"ok\"}"));
        assertEquals(true, upstreamRow(id).get("successful"));
        Signed.post("/api/v1/jobs/" + id + "/start", "{\"WorkerName\":\"w2\",\"Attempt\":1}")
                .then().statusCode(200).body(equalTo("{\"Status\":\"error\",\"Reason\":\"job succeeded\"}"));
    }

    @Test
    void aFirstDeliveryOfARunningJobIsRefusedWhileARedeliveryTakesItOver() throws Exception {
        String id = submit(spec(repo(), List.of()));
        String start = "/api/v1/jobs/" + id + "/start";
        Signed.post(start, "{\"WorkerName\":\"w1\",\"Attempt\":1,\"Redelivered\":false}").then().body(equalTo("{\"Status\":\"ok\"}"));
        // a second copy of the message (at-least-once outbox), first delivered to w2
        Signed.post(start, "{\"WorkerName\":\"w2\",\"Attempt\":1,\"Redelivered\":false}")
                .then().body(equalTo("{\"Status\":\"error\",\"Reason\":\"job running\"}"));
        assertEquals("w1", job(id).get("worker_name"));
        // w1's delivery handed out again after its channel closed: the takeover of a dead worker's job
        Signed.post(start, "{\"WorkerName\":\"w2\",\"Attempt\":1,\"Redelivered\":true}").then().body(equalTo("{\"Status\":\"ok\"}"));
        assertEquals("w2", job(id).get("worker_name"));
        // a claim tied to no delivery (the worker's second claim under the lease) is not checked
        Signed.post(start, "{\"WorkerName\":\"w2\",\"Attempt\":1}").then().body(equalTo("{\"Status\":\"ok\"}"));
    }

    @Test
    void unknownDependencyIdsAreRefusedAtSubmission() throws Exception {
        String repo = repo();
        String ghost = UUID.randomUUID().toString();
        Signed.post("/jobs/new", spec(repo, List.of(ghost, "not-a-uuid"))).then().statusCode(200)
                .body(equalTo("{\"Status\":\"error\",\"Reason\":\"unknown job dependencies: [not-a-uuid, " + ghost + "]\"}"));
        assertEquals(0, count("SELECT count(*) FROM conveyor_job WHERE repository = '" + repo + "'"));
    }

    @Test
    void aJobWaitsUntilItsDependenciesSucceeded() throws Exception {
        String repo = repo();
        String a = submit(spec(repo, List.of()));
        String b = submit(spec(repo, List.of()));
        String c = submit(spec(repo, List.of(a, b)));
        assertEquals("waiting", job(c).get("state"));
        finish(a, repo, true, null);
        assertEquals("waiting", job(c).get("state"));
        finish(b, repo, true, null);
        assertEquals("queued", job(c).get("state"));
        JobMessages.Message m = messages.await(services.newJobExchange(), c, 1);
        assertEquals(List.of(a, b), ids(m.json().get("Dependencies")));
        // a job whose dependencies already succeeded is queued at once
        String d = submit(spec(repo, List.of(a)));
        assertEquals("queued", job(d).get("state"));
    }

    @Test
    void aJobWithMoreDependenciesThanOneInsertTakesRecordsEveryEdge() throws Exception {
        String repo = repo();
        int n = org.cvmfs.suite.conveyor.server.persistence.JobStore.EDGES_PER_STATEMENT + 2;
        List<String> deps = new ArrayList<>();
        for (int from = 0; from < n; from += 250) {
            StringBuilder batch = new StringBuilder("[");
            for (int i = from; i < Math.min(n, from + 250); i++) {
                batch.append(i == from ? "" : ",").append(spec(repo, List.of()));
            }
            String reply = Signed.post("/api/v1/jobs", batch.append(']').toString()).then().statusCode(200).extract().asString();
            deps.addAll(ids(ConveyorJson.mapper().readTree(reply).get("IDs")));
        }
        String last = deps.get(n - 1);
        String dependent = submit(spec(repo, deps));
        assertEquals(n, count("SELECT count(*) FROM conveyor_job_dependency WHERE job_id = '" + dependent + "'"));
        // every dependency but the last succeeded (set directly: finishing each takes a request)
        try (var c = services.sql(); var st = c.createStatement()) {
            assertEquals(n - 1, st.executeUpdate("UPDATE conveyor_job SET state = 'succeeded' WHERE repository = '" + repo
                    + "' AND id NOT IN ('" + last + "', '" + dependent + "')"));
        }
        assertEquals("waiting", job(dependent).get("state"));
        finish(last, repo, true, null); // the one past the first statement's edges
        assertEquals("queued", job(dependent).get("state"));
    }

    @Test
    void aFailedDependencyFailsItsDependentsAtOnceNamingIt() throws Exception {
        String repo = repo();
        String a = submit(spec(repo, List.of()));
        String b = submit(spec(repo, List.of(a)));
        String c = submit(spec(repo, List.of(b)));
        finish(a, repo, false, null);
        assertEquals("failed", job(b).get("state"));
        assertEquals("failed job dependencies: [" + a + "]", job(b).get("error_message"));
        assertEquals("failed job dependencies: [" + b + "]", job(c).get("error_message"));
        assertEquals(false, upstreamRow(c).get("successful"));
        assertEquals("failure", messages.await(services.completedJobExchange(), b, 1).routingKey());
        assertEquals("failure", messages.await(services.completedJobExchange(), c, 1).routingKey());
        assertTrue(messages.all(services.newJobExchange(), b).isEmpty(), "a failed dependent never reaches the workers");
        // submitted after the failure: failed at submission
        String d = submit(spec(repo, List.of(a)));
        assertEquals("failed", job(d).get("state"));
        assertEquals("failed job dependencies: [" + a + "]", job(d).get("error_message"));
    }

    @Test
    void retryableFailuresAreRequeuedWithBackoffUpToJobRetries() throws Exception {
        String repo = repo();
        String id = submit(spec(repo, List.of()));
        assertEquals(1, messages.await(services.newJobExchange(), id, 1).json().get("Attempt").asInt());
        Instant failed1 = Instant.now();
        finish(id, repo, false, 1);
        assertEquals("queued", job(id).get("state"));
        JobMessages.Message second = messages.await(services.newJobExchange(), id, 2);
        assertEquals(2, second.json().get("Attempt").asInt());
        assertFalse(second.arrived().isBefore(failed1.plus(Duration.ofSeconds(1))), "first retry after at least 1 s");

        Instant failed2 = Instant.now();
        finish(id, repo, false, 2);
        JobMessages.Message third = messages.await(services.newJobExchange(), id, 3);
        assertEquals(3, third.json().get("Attempt").asInt());
        assertFalse(third.arrived().isBefore(failed2.plus(Duration.ofSeconds(2))), "second retry after at least 2 s");

        finish(id, repo, false, 3); // job_retries = 2: no fourth attempt
        assertEquals("failed", job(id).get("state"));
        assertEquals(3, job(id).get("attempts"));
        assertEquals(false, upstreamRow(id).get("successful"));
    }

    @Test
    void aScriptThatExitedNonZeroIsNotRetried() throws Exception {
        String repo = repo();
        String id = submit(spec(repo, List.of()));
        messages.await(services.newJobExchange(), id, 1);
        finish(id, repo, false, null);
        assertEquals("failed", job(id).get("state"));
        assertEquals("running transaction script failed: exit status 3", upstreamRow(id).get("errormessage"));
        assertEquals(1, messages.all(services.newJobExchange(), id).size());
    }

    @Test
    void queuedAndWaitingJobsCanBeCancelledStartedOnesCannot() throws Exception {
        String repo = repo();
        String queued = submit(spec(repo, List.of()));
        String waiting = submit(spec(repo, List.of(queued)));
        String running = submit(spec(repo, List.of()));
        messages.await(services.newJobExchange(), queued, 1);
        Signed.post("/api/v1/jobs/" + queued + "/cancel", "").then().statusCode(200).body(equalTo("{\"Status\":\"ok\"}"));
        assertEquals("cancelled", job(queued).get("state"));
        assertEquals("failed job dependencies: [" + queued + "]", job(waiting).get("error_message"));
        // the message already on the broker is skipped by the worker's start claim
        Signed.post("/api/v1/jobs/" + queued + "/start", "{\"WorkerName\":\"w\",\"Attempt\":1}")
                .then().body(equalTo("{\"Status\":\"error\",\"Reason\":\"job cancelled\"}"));
        Signed.post("/api/v1/jobs/" + running + "/start", "{\"WorkerName\":\"w\",\"Attempt\":1}").then().body(equalTo("{\"Status\":\"ok\"}"));
        Signed.post("/api/v1/jobs/" + running + "/cancel", "").then()
                .body(equalTo("{\"Status\":\"error\",\"Reason\":\"job running, cannot cancel\"}"));
        Signed.post("/api/v1/jobs/" + UUID.randomUUID() + "/cancel", "").then()
                .body(equalTo("{\"Status\":\"error\",\"Reason\":\"unknown job\"}"));
        Signed.raw().post("/api/v1/jobs/" + running + "/cancel").then().statusCode(403);
    }

    @Test
    void listingFiltersPagesAndNamesUnknownIds() throws Exception {
        String repo = repo();
        Instant before = Instant.now().minusSeconds(1);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            ids.add(submit(spec(repo, List.of())));
        }
        finish(ids.get(1), repo, true, null);
        JsonNode page = list("limit=2&offset=0&repository=" + repo);
        assertEquals(5, page.get("Total").asInt());
        assertEquals(ids.subList(0, 2), ids(page.get("Jobs"), "ID"));
        assertEquals(ids.subList(4, 5), ids(list("limit=2&offset=4&repository=" + repo).get("Jobs"), "ID"));
        assertEquals(List.of(ids.get(1)), ids(list("repository=" + repo + "&status=succeeded").get("Jobs"), "ID"));
        assertEquals(4, list("repository=" + repo + "&status=queued&status=waiting").get("Total").asInt());
        String since = ConveyorJson.formatTime(before.atOffset(java.time.ZoneOffset.UTC));
        assertEquals(5, list("repository=" + repo + "&since=" + since).get("Total").asInt());
        assertEquals(0, list("repository=" + repo + "&until=" + since).get("Total").asInt());

        String ghost = UUID.randomUUID().toString();
        JsonNode byId = list("id=" + ids.get(0) + "&id=" + ghost);
        assertEquals(List.of(ids.get(0)), ids(byId.get("Jobs"), "ID"));
        assertEquals(List.of(ghost), ids(byId.get("Unknown")));
        // upstream's status route omits what it does not know, as upstream does
        Signed.get("/jobs/complete", "full=false&id=" + ghost + "&id=" + ids.get(0)).then().body(equalTo("{\"Status\":\"ok\"}"));

        Signed.get("/api/v1/jobs", "limit=0").then().statusCode(400)
                .body(equalTo("{\"Status\":\"error\",\"Reason\":\"limit must be 1..1000 and offset >= 0\",\"Total\":0,\"Offset\":0,\"Limit\":0,\"Jobs\":[],\"Unknown\":[]}"));
        Signed.get("/api/v1/jobs", "status=sleeping").then().statusCode(400);
        Signed.get("/api/v1/jobs", "since=yesterday").then().statusCode(400);
        Signed.raw().get("/api/v1/jobs?repository=" + repo).then().statusCode(403);
    }

    @Test
    void aCompletionForAJobSubmittedElsewhereIsStoredAsUpstreamDoes() throws Exception {
        String id = UUID.randomUUID().toString();
        finish(id, repo(), true, null);
        assertEquals(true, upstreamRow(id).get("successful"));
        assertEquals("success", messages.await(services.completedJobExchange(), id, 1).routingKey());
    }

    @Test
    void ourDeclarationsMatchUpstreamsFlags() throws Exception {
        String id = submit(spec(repo(), List.of()));
        messages.await(services.newJobExchange(), id, 1); // the server has connected and declared
        try (Connection c = services.amqp().newConnection("upstream-flags")) {
            Channel ch = c.createChannel();
            ch.exchangeDeclare(services.newJobExchange(), BuiltinExchangeType.DIRECT, true, false, false, null);
            ch.exchangeDeclare(services.completedJobExchange(), BuiltinExchangeType.TOPIC, false, false, false, null);
            ch.queueDeclare(services.newJobQueue(), true, false, false, null);
            ch.queueBind(services.newJobQueue(), services.newJobExchange(), "");
            String q = ch.queueDeclare("", false, true, true, null).getQueue();
            ch.queueBind(q, services.completedJobExchange(), "#");
            assertTrue(ch.isOpen());
            // and the check would notice a difference: a durable jobs.done is refused with 406
            Channel other = c.createChannel();
            var e = org.junit.jupiter.api.Assertions.assertThrows(IOException.class, () ->
                    other.exchangeDeclare(services.completedJobExchange(), BuiltinExchangeType.TOPIC, true, false, false, null));
            assertTrue(String.valueOf(e.getCause()).contains("406"), String.valueOf(e.getCause()));
        }
    }

    @Test
    void anEmptyDatabaseIsMigratedByTheServer() throws Exception {
        assertEquals(1, ((Number) row("SELECT max(VersionNumber) AS v FROM SchemaVersion WHERE ValidTo IS NULL").get("v")).intValue());
        assertEquals(2, count("SELECT count(*) FROM conveyor_flyway_history WHERE success AND type = 'SQL'"));
    }

    /**
     * The race the worker's end-to-end test found: a dependency's completion in flight (its row
     * changed and locked, not committed) while a job depending on it is submitted. The submission
     * must wait for that commit and then see the dependency succeeded (job queued); reading the
     * old state, it would stay waiting forever, since the completion did not see it either.
     */
    @Test
    void aSubmissionWaitsForADependencyCompletionInFlight() throws Exception {
        String repo = repo();
        String dep = submit(spec(repo, List.of()));
        messages.await(services.newJobExchange(), dep, 1);
        try (java.sql.Connection completion = services.sql()) {
            completion.setAutoCommit(false);
            try (var st = completion.prepareStatement("UPDATE conveyor_job SET state = 'succeeded' WHERE id = ?")) {
                st.setString(1, dep);
                assertEquals(1, st.executeUpdate());
            }
            var submitted = java.util.concurrent.CompletableFuture.supplyAsync(() -> submit(spec(repo, List.of(dep))));
            Await.value(() -> submitted.isDone() || count("SELECT count(*) FROM pg_stat_activity WHERE datname = '"
                    + services.database() + "' AND wait_event_type = 'Lock'") > 0 ? Boolean.TRUE : null,
                    Duration.ofSeconds(60), Duration.ofMillis(50), () -> "the submission neither finished nor waited on a lock");
            completion.commit();
            String id = submitted.get(60, java.util.concurrent.TimeUnit.SECONDS);
            assertEquals("queued", job(id).get("state"));
        }
    }

    // ---- helpers

    static String repo() {
        return "t" + UUID.randomUUID().toString().substring(0, 8) + ".cern.ch";
    }

    static String spec(String repo, List<String> deps) {
        return "{\"JobName\":\"\",\"Repository\":\"" + repo + "\",\"Payload\":\"\",\"LeasePath\":\"/\",\"Dependencies\":"
                + ConveyorJson.writeString(deps) + "}";
    }

    static String submit(String body) {
        String reply = Signed.post("/jobs/new", body).then().statusCode(200).extract().asString();
        assertTrue(reply.startsWith("{\"Status\":\"ok\",\"ID\":\""), reply);
        return reply.substring("{\"Status\":\"ok\",\"ID\":\"".length(), reply.length() - 2);
    }

    /** Posts a worker's result; {@code retryAttempt} non-null makes it a retryable failure of that attempt. */
    static void finish(String id, String repo, boolean ok, Integer retryAttempt) {
        String ext = retryAttempt == null ? "" : ",\"Attempt\":" + retryAttempt + ",\"Retryable\":true";
        String error = ok ? "" : retryAttempt == null ? "running transaction script failed: exit status 3" : "lease busy";
        Signed.post("/jobs/complete", "{\"ID\":\"" + id + "\",\"JobName\":\"\",\"Repository\":\"" + repo
                        + "\",\"Payload\":\"\",\"LeasePath\":\"/\",\"Dependencies\":null,\"WorkerName\":\"w\","
                        + "\"StartTime\":\"2024-01-01T00:00:00Z\",\"FinishTime\":\"2024-01-01T00:00:01Z\",\"Successful\":" + ok
                        + ",\"ErrorMessage\":\"" + error + "\"" + ext + "}")
                .then().statusCode(200).body(equalTo("{\"Status\":\"ok\"}"));
    }

    static JsonNode list(String query) throws IOException {
        return ConveyorJson.mapper().readTree(Signed.get("/api/v1/jobs", query).then().statusCode(200).extract().asString());
    }

    static List<String> ids(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static List<String> ids(JsonNode array, String field) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.get(field).asText()));
        return out;
    }

    Map<String, Object> job(String id) throws SQLException {
        return row("SELECT * FROM conveyor_job WHERE id = '" + id + "'");
    }

    Map<String, Object> upstreamRow(String id) throws SQLException {
        return row("SELECT * FROM Jobs WHERE ID = '" + id + "'");
    }

    long count(String sql) throws SQLException {
        return ((Number) row(sql).get("count")).longValue();
    }

    Map<String, Object> row(String sql) throws SQLException {
        try (var c = services.sql(); var s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            Map<String, Object> out = new HashMap<>();
            if (rs.next()) {
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    Object v = rs.getObject(i);
                    out.put(rs.getMetaData().getColumnName(i), v);
                }
            }
            return out;
        }
    }
}
