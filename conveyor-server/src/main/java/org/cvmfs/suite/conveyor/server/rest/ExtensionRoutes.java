package org.cvmfs.suite.conveyor.server.rest;

import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.util.Arrays;
import java.util.List;
import org.cvmfs.suite.conveyor.server.service.JobService;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;
import org.cvmfs.suite.protocol.conveyor.JobListReply;
import org.cvmfs.suite.protocol.conveyor.JobQuery;
import org.cvmfs.suite.protocol.conveyor.JobSpecification;
import org.cvmfs.suite.protocol.conveyor.MalformedJobException;
import org.cvmfs.suite.protocol.conveyor.JobState;
import org.cvmfs.suite.protocol.conveyor.Replies;

/**
 * Our routes under {@code /api/v1} (new paths, so upstream's four keep their behaviour), signed
 * like upstream's: {@code GET /api/v1/jobs} lists and filters ({@link JobQuery}),
 * {@code POST /api/v1/jobs} submits a JSON array of JobSpecifications in one transaction
 * ({@code conveyor submit --batch}),
 * {@code POST /api/v1/jobs/ID/cancel} cancels a job not yet started, and
 * {@code POST /api/v1/jobs/ID/start} (body: a ProcessedJob-shaped object with
 * {@code WorkerName}, {@code Attempt} and, when the claim is for a delivery, {@code Redelivered})
 * is the worker's claim before it runs a job. Bad
 * parameters answer 400 with a JSON {@code Reason}; a database outage 503 (retry later; never a
 * {@code Status:"error"} reply, which tells a worker to skip the job).
 */
@ApplicationScoped
public class ExtensionRoutes {
    @Inject
    JobService jobs;
    @Inject
    ConveyorConfig config;

    void register(@Observes Router router) {
        router.get("/api/v1/jobs").blockingHandler(this::list, false);
        router.post("/api/v1/jobs").handler(BodyHandler.create()).blockingHandler(this::submitAll, false);
        router.post("/api/v1/jobs/:id/cancel").handler(BodyHandler.create()).blockingHandler(this::cancel, false);
        router.post("/api/v1/jobs/:id/start").handler(BodyHandler.create()).blockingHandler(this::start, false);
    }

    private void list(RoutingContext ctx) {
        if (!SignedRequest.verify(ctx, config.sharedKey())) {
            return;
        }
        JobQuery query;
        try {
            var p = ctx.queryParams();
            int limit = p.contains("limit") ? Integer.parseInt(p.get("limit")) : JobQuery.DEFAULT_LIMIT;
            int offset = p.contains("offset") ? Integer.parseInt(p.get("offset")) : 0;
            if (limit < 1 || limit > JobQuery.MAX_LIMIT || offset < 0) {
                throw new IllegalArgumentException("limit must be 1.." + JobQuery.MAX_LIMIT + " and offset >= 0");
            }
            query = new JobQuery(p.getAll("id").stream().map(String::toLowerCase).toList(),
                    p.getAll("status").stream().map(JobState::fromWire).toList(),
                    p.get("repository"),
                    p.contains("since") ? ConveyorJson.parseTime(p.get("since")) : null,
                    p.contains("until") ? ConveyorJson.parseTime(p.get("until")) : null,
                    offset, limit);
        } catch (IllegalArgumentException e) {
            Responses.badRequest(ctx, JobListReply.error(e.getMessage()));
            return;
        }
        JobListReply reply;
        try {
            reply = jobs.list(query);
        } catch (RuntimeException e) {
            Responses.unavailable(ctx, JobListReply.error(Responses.DATABASE_UNAVAILABLE));
            return;
        }
        Responses.json(ctx, reply);
    }

    private void submitAll(RoutingContext ctx) {
        if (!SignedRequest.verify(ctx, config.sharedKey())) {
            return;
        }
        List<JobSpecification> specs;
        try {
            specs = Arrays.asList(ConveyorJson.read(SignedRequest.body(ctx), JobSpecification[].class));
            if (specs.isEmpty() || specs.size() > JobSpecification.BATCH_LIMIT || specs.contains(null)) {
                throw new MalformedJobException("1.." + JobSpecification.BATCH_LIMIT + " job specifications expected");
            }
        } catch (MalformedJobException e) {
            Responses.badRequest(ctx, Replies.PostJobsReply.error("JSON deserialization of request failed: " + e.getMessage(), null));
            return;
        }
        Replies.PostJobsReply reply;
        try {
            reply = jobs.submitAll(specs);
        } catch (RuntimeException e) {
            Responses.unavailable(ctx, Replies.PostJobsReply.error(Responses.DATABASE_UNAVAILABLE, null));
            return;
        }
        Responses.json(ctx, reply);
    }

    private void cancel(RoutingContext ctx) {
        if (!SignedRequest.verify(ctx, config.sharedKey())) {
            return;
        }
        Replies.BasicReply reply;
        try {
            reply = jobs.cancel(ctx.pathParam("id").toLowerCase());
        } catch (RuntimeException e) {
            Responses.unavailable(ctx, Replies.BasicReply.error(Responses.DATABASE_UNAVAILABLE));
            return;
        }
        Responses.json(ctx, reply);
    }

    private void start(RoutingContext ctx) {
        if (!SignedRequest.verify(ctx, config.sharedKey())) {
            return;
        }
        String worker = "";
        Integer attempt = null;
        Boolean redelivered = null;
        byte[] body = SignedRequest.body(ctx);
        if (body.length > 0) {
            try {
                var claim = ConveyorJson.mapper().readTree(body);
                worker = claim.path("WorkerName").asText("");
                attempt = claim.has("Attempt") ? claim.get("Attempt").asInt() : null;
                redelivered = claim.has("Redelivered") ? claim.get("Redelivered").asBoolean() : null;
            } catch (java.io.IOException e) {
                Responses.badRequest(ctx, Replies.BasicReply.error("JSON deserialization of request failed"));
                return;
            }
        }
        Replies.BasicReply reply;
        try {
            reply = jobs.start(ctx.pathParam("id").toLowerCase(), worker, attempt, redelivered);
        } catch (RuntimeException e) {
            // never Status error here: a worker skips a job on that; a 503 makes it try later
            Responses.unavailable(ctx, Replies.BasicReply.error(Responses.DATABASE_UNAVAILABLE));
            return;
        }
        Responses.json(ctx, reply);
    }


}
