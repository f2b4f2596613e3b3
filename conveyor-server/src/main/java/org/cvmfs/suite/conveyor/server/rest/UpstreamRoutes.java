package org.cvmfs.suite.conveyor.server.rest;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.cvmfs.suite.conveyor.server.service.JobService;
import org.cvmfs.suite.protocol.conveyor.ConveyorConfig;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;
import org.cvmfs.suite.protocol.conveyor.JobSpecification;
import org.cvmfs.suite.protocol.conveyor.MalformedJobException;
import org.cvmfs.suite.protocol.conveyor.ProcessedJob;
import org.cvmfs.suite.protocol.conveyor.Replies;

/**
 * Upstream's four routes with upstream's matching (spec 4.1): a route matches only with its
 * method, path, {@code Content-Type} exactly {@code application/json} (POST), query keys
 * {@code id} and {@code full} (GET) and an {@code Authorization} header; no match is 404, a
 * match but for the method is 405; the HMAC is checked only after a match. Plain Vert.x routes,
 * not JAX-RS, because those 404/405 rules and header-less JSON bodies are not JAX-RS's.
 */
@ApplicationScoped
public class UpstreamRoutes {
    static final String ROOT_TEXT = "You are standing in an open field west of a white house, with a boarded front door.\n";

    @Inject
    JobService jobs;
    @Inject
    ConveyorConfig config;

    void register(@Observes Router router) {
        router.route("/").handler(BodyHandler.create()).blockingHandler(this::root, false);
        router.route("/jobs/new").handler(BodyHandler.create()).blockingHandler(this::newJob, false);
        router.route("/jobs/complete").handler(BodyHandler.create()).blockingHandler(this::complete, false);
        // Go's mux: any other path is a plain-text 404 (Quarkus's own /q/ endpoints excepted)
        router.route().order(Integer.MAX_VALUE - 1).handler(ctx -> {
            if (ctx.normalizedPath().startsWith("/q/")) {
                ctx.next();
            } else {
                Responses.notFound(ctx);
            }
        });
    }

    private void root(RoutingContext ctx) {
        if (SignedRequest.verify(ctx, config.sharedKey())) {
            Responses.text(ctx, ROOT_TEXT);
        }
    }

    private void newJob(RoutingContext ctx) {
        boolean post = isJsonPost(ctx);
        if (!post) {
            if (jsonAndAuth(ctx)) {
                Responses.methodNotAllowed(ctx);
            } else {
                Responses.notFound(ctx);
            }
            return;
        }
        if (!SignedRequest.verify(ctx, config.sharedKey())) {
            return;
        }
        JobSpecification spec;
        try {
            spec = decode(ctx, JobSpecification.class, new JobSpecification(null, null, null, null, null));
        } catch (MalformedJobException e) {
            Responses.error(ctx, 400, "JSON deserialization of request failed");
            return;
        }
        Replies.PostNewJobReply reply;
        try {
            reply = jobs.submit(spec);
        } catch (RuntimeException e) {
            // upstream answers null here; a Go client reads Status error as a failed submission
            Responses.json(ctx, Replies.PostNewJobReply.error("storing job failed"));
            return;
        }
        Responses.json(ctx, reply);
    }

    private void complete(RoutingContext ctx) {
        boolean auth = ctx.request().getHeader("Authorization") != null;
        var params = ctx.queryParams();
        boolean getMatch = auth && params.contains("id") && params.contains("full");
        boolean postMatch = jsonAndAuth(ctx);
        HttpMethod method = ctx.request().method();
        if (method == HttpMethod.GET && getMatch) {
            if (!SignedRequest.verify(ctx, config.sharedKey())) {
                return;
            }
            boolean full = !"false".equals(params.get("full"));
            List<String> ids = params.getAll("id");
            try {
                Responses.json(ctx, jobs.completed(ids, full));
            } catch (RuntimeException e) {
                Responses.json(ctx, Replies.GetJobStatusReply.error("SQL query failed"));
            }
        } else if (method == HttpMethod.POST && postMatch) {
            if (!SignedRequest.verify(ctx, config.sharedKey())) {
                return;
            }
            ProcessedJob result;
            try {
                result = decode(ctx, ProcessedJob.class, null);
            } catch (MalformedJobException e) {
                Responses.error(ctx, 400, "JSON deserialization of request failed");
                return;
            }
            if (result == null) {
                Responses.error(ctx, 400, "JSON deserialization of request failed");
                return;
            }
            try {
                var reply = jobs.complete(result);
                Responses.json(ctx, reply);
            } catch (RuntimeException e) {
                Responses.json(ctx, Replies.BasicReply.error("committing SQL transaction failed"));
            }
        } else if (getMatch || postMatch) {
            Responses.methodNotAllowed(ctx);
        } else {
            Responses.notFound(ctx);
        }
    }

    private static boolean isJsonPost(RoutingContext ctx) {
        return ctx.request().method() == HttpMethod.POST && jsonAndAuth(ctx);
    }

    private static boolean jsonAndAuth(RoutingContext ctx) {
        return "application/json".equals(ctx.request().getHeader("Content-Type"))
                && ctx.request().getHeader("Authorization") != null;
    }

    /** Go's json.Unmarshal: {@code null} leaves the zero value. */
    private static <T> T decode(RoutingContext ctx, Class<T> type, T zero) {
        byte[] body = SignedRequest.body(ctx);
        if (new String(body, StandardCharsets.UTF_8).trim().equals("null")) {
            return zero;
        }
        return ConveyorJson.read(body, type);
    }
}
