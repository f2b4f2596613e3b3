package org.cvmfs.suite.conveyor.server.service;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.GetResponse;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.cvmfs.suite.conveyor.server.testing.ConveyorTestServer;
import org.cvmfs.suite.conveyor.server.testing.Signed;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;
import org.cvmfs.suite.protocol.testing.Await;
import org.junit.jupiter.api.Test;

/**
 * Fault injection on a private RabbitMQ node and a private PostgreSQL cluster: while jobs are
 * submitted and completed, the broker is restarted and PostgreSQL is killed ({@code kill -9})
 * and started again. Clients retry as upstream's do (transport errors, non-200, Status error);
 * a worker acks only after the server stored the result. Afterwards every accepted job has
 * succeeded exactly once, no other job exists, and the outbox is empty.
 */
@QuarkusTest
@WithTestResource(value = ConveyorTestServer.class, initArgs = @ResourceArg(name = "services", value = "private"))
class BrokerAndDatabaseRestartTest {
    static final int JOBS = 30;
    /** How often a client retries against a restarting service, as upstream's clients pause. */
    static final Duration RETRY_INTERVAL = Duration.ofMillis(200);

    final Map<String, AtomicInteger> executions = new ConcurrentHashMap<>();
    final AtomicBoolean stop = new AtomicBoolean();

    @Test
    void noJobLostNoneDuplicatedAcrossBrokerAndDatabaseRestarts() throws Exception {
        ConveyorTestServer.Services s = ConveyorTestServer.services();
        String repo = JobLifecycleTest.repo();
        Thread worker = new Thread(() -> work(s), "simulated-worker");
        worker.setDaemon(true);
        worker.start();
        List<String> accepted = new ArrayList<>();
        try {
            for (int i = 0; i < JOBS; i++) {
                if (i == JOBS / 3) {
                    s.privateRabbitMq().stop();
                    s.privateRabbitMq().start();
                }
                if (i == 2 * JOBS / 3) {
                    s.privatePostgres().kill();
                    s.privatePostgres().start();
                }
                accepted.add(submitUntilAccepted(JobLifecycleTest.spec(repo, List.of())));
            }
            s.privateRabbitMq().kill();
            s.privateRabbitMq().start();
            String last = submitUntilAccepted(JobLifecycleTest.spec(repo, accepted));
            accepted.add(last);
            awaitAllFinished(s, repo, accepted.size());
        } finally {
            stop.set(true);
            worker.join(30_000);
        }
        assertEquals(List.of("succeeded " + accepted.size()), s.rows("SELECT state, count(*) FROM conveyor_job WHERE repository = '"
                + repo + "' GROUP BY state"));
        assertEquals(List.of(Integer.toString(accepted.size())), s.rows("SELECT count(*) FROM Jobs WHERE Repository = '" + repo
                + "' AND Successful"));
        for (String id : accepted) {
            assertEquals(1, executions.getOrDefault(id, new AtomicInteger()).get(), "job " + id + " ran once");
        }
        assertEquals(accepted.size(), executions.size());
        awaitOutboxEmpty(s);
    }

    /** Upstream's client retries transport failures; ours also a 5xx or a Status error. */
    static String submitUntilAccepted(String body) throws Exception {
        return Await.value(() -> {
            try {
                Response r = Signed.post("/jobs/new", body);
                String text = r.asString();
                return r.statusCode() == 200 && text.startsWith("{\"Status\":\"ok\"")
                        ? text.substring("{\"Status\":\"ok\",\"ID\":\"".length(), text.length() - 2) : null;
            } catch (RuntimeException transport) {
                return null; // retried
            }
        }, Duration.ofMinutes(3), RETRY_INTERVAL, () -> "submission never accepted");
    }

    /** One worker as ours behaves: claim, run, report until stored, then ack; reconnect on any broker error. */
    void work(ConveyorTestServer.Services s) {
        while (!stop.get()) {
            try (Connection c = s.amqp().newConnection("simulated-worker")) {
                Channel ch = c.createChannel();
                ch.basicQos(0, 1, false);
                ch.exchangeDeclare(s.newJobExchange(), BuiltinExchangeType.DIRECT, true, false, false, null);
                ch.queueDeclare(s.newJobQueue(), true, false, false, null);
                ch.queueBind(s.newJobQueue(), s.newJobExchange(), "");
                while (!stop.get()) {
                    GetResponse delivery = ch.basicGet(s.newJobQueue(), false);
                    if (delivery == null) {
                        Thread.sleep(50);
                        continue;
                    }
                    JsonNode job = ConveyorJson.mapper().readTree(delivery.getBody());
                    String id = job.get("ID").asText();
                    String claim = untilOk("/api/v1/jobs/" + id + "/start", "{\"WorkerName\":\"w\",\"Attempt\":1}", true);
                    if (claim.startsWith("{\"Status\":\"ok\"")) {
                        executions.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
                        untilOk("/jobs/complete", "{\"ID\":\"" + id + "\",\"Repository\":\"" + job.get("Repository").asText()
                                + "\",\"LeasePath\":\"/\",\"WorkerName\":\"w\",\"StartTime\":\"2024-01-01T00:00:00Z\","
                                + "\"FinishTime\":\"2024-01-01T00:00:01Z\",\"Successful\":true,\"Attempt\":1}", false);
                    }
                    ch.basicAck(delivery.getEnvelope().getDeliveryTag(), false);
                }
            } catch (InterruptedException e) {
                return;
            } catch (Exception brokerGone) {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Posts until the server answers 200 with a stored outcome; a claim refusal counts as an answer. */
    String untilOk(String path, String body, boolean claim) throws InterruptedException {
        while (!stop.get()) {
            try {
                Response r = Signed.post(path, body);
                String text = r.asString();
                if (r.statusCode() == 200 && (text.equals("{\"Status\":\"ok\"}")
                        || (claim && text.startsWith("{\"Status\":\"error\",\"Reason\":\"job ")))) {
                    return text;
                }
            } catch (RuntimeException transport) {
                // retried
            }
            Thread.sleep(RETRY_INTERVAL.toMillis());
        }
        throw new InterruptedException("stopped");
    }

    static void awaitAllFinished(ConveyorTestServer.Services s, String repo, int n) throws Exception {
        List<String> all = List.of(Integer.toString(n));
        Await.value(() -> {
            try {
                return s.rows("SELECT count(*) FROM conveyor_job WHERE repository = '" + repo
                        + "' AND state IN ('succeeded','failed','cancelled')").equals(all) ? Boolean.TRUE : null;
            } catch (java.sql.SQLException restarting) {
                return null; // retried
            }
        }, Duration.ofMinutes(5), Duration.ofMillis(500), () -> "jobs not finished: " + states(s));
    }

    static void awaitOutboxEmpty(ConveyorTestServer.Services s) throws Exception {
        Await.value(() -> s.rows("SELECT count(*) FROM conveyor_outbox").equals(List.of("0")) ? Boolean.TRUE : null,
                Duration.ofMinutes(2), Duration.ofMillis(500), () -> "outbox never drained");
    }

    private static String states(ConveyorTestServer.Services s) {
        try {
            return s.rows("SELECT state, count(*) FROM conveyor_job GROUP BY state").toString();
        } catch (java.sql.SQLException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

}
