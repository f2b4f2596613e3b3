package org.cvmfs.suite.protocol.conveyor;

import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.cvmfs.suite.protocol.http.HttpCall;

/**
 * The job server's HTTP client, for the CLI and for workers: every request signed with
 * {@link ConveyorAuth} over the bytes actually sent. Plain JDK, no
 * framework, so that a {@code conveyor submit} process starts fast. Transport failures (refused
 * connection, reset) are retried with doubling sleeps as upstream does (spec 4.6), the body
 * rebuilt per attempt; an HTTP status other than 200 is not retried.
 */
public final class ConveyorClient {
    public static final String NEW_JOB = "/jobs/new";
    public static final String COMPLETE = "/jobs/complete";
    /** Our extension routes: GET lists jobs, POST submits many. */
    public static final String LIST = "/api/v1/jobs";
    public static final String CANCEL_PREFIX = "/api/v1/jobs/";
    public static final String CANCEL_SUFFIX = "/cancel";
    /**
     * The longest pause between two polls of a wait: a job's end is seen at most this late (a
     * listing by id is one indexed query, so a waiting client costs the server little).
     */
    static final long MAX_WAIT_POLL_MILLIS = 200;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);

    private final URI base;
    private final String sharedKey;
    private final int transportAttempts;
    private final Duration firstRetryDelay;

    public ConveyorClient(URI base, String sharedKey) {
        this(base, sharedKey, 50, Duration.ofSeconds(5));
    }

    /** {@code transportAttempts} tries with sleeps from {@code firstRetryDelay}, doubling, capped at 30 min. */
    public ConveyorClient(URI base, String sharedKey, int transportAttempts, Duration firstRetryDelay) {
        this.base = base;
        this.sharedKey = sharedKey;
        this.transportAttempts = Math.max(1, transportAttempts);
        this.firstRetryDelay = firstRetryDelay;
    }

    public static ConveyorClient of(ConveyorConfig config) {
        return new ConveyorClient(config.server().baseUrl(), config.sharedKey());
    }

    /** {@code POST /jobs/new}. A {@code null} body (upstream's broker failure) reads as an error reply. */
    public Replies.PostNewJobReply submit(JobSpecification spec) {
        byte[] reply = post(NEW_JOB, ConveyorJson.write(spec));
        if (isNull(reply)) {
            return Replies.PostNewJobReply.error("");
        }
        return ConveyorJson.read(reply, Replies.PostNewJobReply.class);
    }

    /**
     * Our extension {@code POST /api/v1/jobs}: at most {@link JobSpecification#BATCH_LIMIT} jobs
     * submitted in one request and one transaction, all or none.
     */
    public Replies.PostJobsReply submitAll(List<JobSpecification> specs) {
        return ConveyorJson.read(post(LIST, ConveyorJson.write(specs)), Replies.PostJobsReply.class);
    }

    /** {@code GET /jobs/complete?full=..&id=..}: only completed jobs are reported. */
    public Replies.GetJobStatusReply completed(List<String> ids, boolean full) {
        Map<String, List<String>> params = new TreeMap<>();
        params.put("full", List.of(Boolean.toString(full)));
        params.put("id", ids);
        byte[] reply = get(COMPLETE, JobQuery.encode(params));
        if (isNull(reply)) {
            return Replies.GetJobStatusReply.error("");
        }
        return ConveyorJson.read(reply, Replies.GetJobStatusReply.class);
    }

    /** {@code POST /jobs/complete}: a worker's result. */
    public Replies.BasicReply postResult(ProcessedJob result) {
        byte[] reply = post(COMPLETE, ConveyorJson.write(result));
        if (isNull(reply)) {
            return Replies.BasicReply.error("");
        }
        return ConveyorJson.read(reply, Replies.BasicReply.class);
    }

    /** Our extension: jobs by filter, every state. */
    public JobListReply list(JobQuery query) {
        return ConveyorJson.read(get(LIST, query.queryString()), JobListReply.class);
    }

    /**
     * Our extension: a worker claims {@code id} before running it. {@code Status:"error"} means
     * skip the message (finished, cancelled, unknown, or running from another copy of its
     * message); a 404 means an upstream server. {@code redelivered}: the broker's flag of the
     * delivery claimed, or null for a claim not tied to a delivery.
     */
    public Replies.BasicReply start(String id, String workerName, int attempt, Boolean redelivered) {
        java.util.Map<String, Object> claim = new java.util.LinkedHashMap<>();
        claim.put("WorkerName", workerName);
        claim.put("Attempt", attempt);
        if (redelivered != null) {
            claim.put("Redelivered", redelivered);
        }
        byte[] body = ConveyorJson.write(claim);
        return ConveyorJson.read(post(CANCEL_PREFIX + id + "/start", body), Replies.BasicReply.class);
    }

    /** Our extension: cancel a job that has not started ({@code waiting} or {@code queued}). */
    public Replies.BasicReply cancel(String id) {
        return ConveyorJson.read(post(CANCEL_PREFIX + id + CANCEL_SUFFIX, new byte[0]), Replies.BasicReply.class);
    }

    /**
     * Waits until every id completed or one failed (upstream's early exit, spec 8.3), polling the
     * server with growing pauses (at most {@value #MAX_WAIT_POLL_MILLIS} ms); no broker connection needed. Unlike upstream the deadline is
     * absolute, and ids the server never saw fail the wait at once ({@link WaitException}).
     * Against an upstream server (no listing route) only completed jobs can be seen.
     *
     * @return id → successful, for the ids seen completed, in the order they were seen
     */
    public Map<String, Boolean> waitFor(List<String> ids, Duration timeout) throws InterruptedException {
        List<String> wanted = new ArrayList<>(new LinkedHashSet<>(ids));
        Map<String, Boolean> seen = new LinkedHashMap<>();
        Instant deadline = Instant.now().plus(timeout);
        long pauseMillis = 5;
        boolean extension = true;
        while (true) {
            List<String> pending = wanted.stream().filter(id -> !seen.containsKey(id)).toList();
            if (pending.isEmpty()) {
                return seen;
            }
            if (extension) {
                try {
                    JobListReply reply = list(JobQuery.ofIds(pending));
                    if (reply.isOk()) {
                        if (!reply.unknown().isEmpty()) {
                            throw new WaitException("unknown job ids: " + reply.unknown());
                        }
                        for (JobRecord job : reply.jobs()) {
                            JobState state = job.jobState();
                            if (state.terminal()) {
                                seen.put(job.id(), state == JobState.SUCCEEDED);
                                if (state != JobState.SUCCEEDED) {
                                    return seen;
                                }
                            }
                        }
                    }
                } catch (HttpStatusException notOurServer) {
                    if (notOurServer.status() != 404) {
                        throw notOurServer;
                    }
                    extension = false;
                }
            }
            if (!extension) {
                Replies.GetJobStatusReply reply = completed(pending, false);
                for (JobStatus status : reply.ids()) {
                    seen.put(status.id(), status.successful());
                    if (!status.successful()) {
                        return seen;
                    }
                }
            }
            if (wanted.stream().allMatch(seen::containsKey)) {
                return seen;
            }
            if (!Instant.now().isBefore(deadline)) {
                throw new WaitException("timeout");
            }
            Thread.sleep(Math.min(pauseMillis, Math.max(1, Duration.between(Instant.now(), deadline).toMillis())));
            pauseMillis = Math.min(pauseMillis * 2, MAX_WAIT_POLL_MILLIS);
        }
    }

    private byte[] post(String path, byte[] body) {
        return send("POST", base.resolve(path), body, ConveyorAuth.sign(sharedKey, body), "Post");
    }

    private byte[] get(String path, String query) {
        URI uri = URI.create(base + path + (query.isEmpty() ? "" : "?" + query));
        return send("GET", uri, null, ConveyorAuth.sign(sharedKey, query), "GET");
    }

    /**
     * One request over {@link HttpCall}, with no read timeout: a job server's reply may take as
     * long as it takes, and a timed-out {@code POST /jobs/new} retried would submit twice.
     */
    private byte[] send(String method, URI uri, byte[] body, String signature, String verb) {
        Duration delay = firstRetryDelay;
        for (int attempt = 1; ; attempt++) {
            HttpCall call = HttpCall.of(method, uri).connectTimeout(CONNECT_TIMEOUT).timeout(Duration.ZERO)
                    .header(ConveyorAuth.HEADER, signature);
            if (body != null) {
                call.header("Content-Type", "application/json").body(body);
            }
            try {
                HttpCall.Reply reply = call.send();
                if (reply.status() != 200) {
                    throw new HttpStatusException(reply.status(), verb + " request failed: " + reply.status());
                }
                return reply.body();
            } catch (IOException e) {
                if (attempt >= transportAttempts) {
                    throw new ConveyorClientException(verb + " request failed: " + describe(e), e);
                }
            }
            try {
                Thread.sleep(delay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ConveyorClientException(verb + " request interrupted", e);
            }
            delay = delay.multipliedBy(2);
            if (delay.compareTo(Duration.ofSeconds(1800)) > 0) {
                delay = Duration.ofSeconds(1800);
            }
        }
    }

    private static String describe(IOException e) {
        String message = e.getMessage();
        return e.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    private static boolean isNull(byte[] reply) {
        return new String(reply, java.nio.charset.StandardCharsets.UTF_8).trim().equals("null");
    }

    /** A transport failure after all attempts, or an interrupted request. */
    public static class ConveyorClientException extends RuntimeException {
        public ConveyorClientException(String message, Throwable cause) {
            super(message, cause);
        }

        public ConveyorClientException(String message) {
            super(message);
        }
    }

    /** The server answered with a status other than 200. */
    public static final class HttpStatusException extends ConveyorClientException {
        private final int status;

        public HttpStatusException(int status, String message) {
            super(message);
            this.status = status;
        }

        public int status() {
            return status;
        }
    }

    /** A wait ended without every job completing: {@code timeout} or unknown ids. */
    public static final class WaitException extends ConveyorClientException {
        public WaitException(String message) {
            super(message);
        }
    }
}
