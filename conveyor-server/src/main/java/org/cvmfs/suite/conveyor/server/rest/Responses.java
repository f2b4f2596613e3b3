package org.cvmfs.suite.conveyor.server.rest;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.RoutingContext;
import org.cvmfs.suite.protocol.conveyor.ConveyorJson;

/**
 * Replies as upstream's Go server writes them: JSON without a trailing newline under the
 * Content-Type Go sniffs for it, errors as {@code http.Error} does (text, newline, nosniff),
 * 405 with no body and no Content-Type.
 */
final class Responses {
    static final String SNIFFED = "text/plain; charset=utf-8";
    static final String DATABASE_UNAVAILABLE = "database unavailable";

    private Responses() {
    }

    static void json(RoutingContext ctx, Object reply) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", SNIFFED)
                .end(Buffer.buffer(ConveyorJson.write(reply)));
    }

    /** Our extension routes while PostgreSQL cannot be reached: 503 with a JSON reason. */
    static void unavailable(RoutingContext ctx, Object reply) {
        refused(ctx, 503, reply);
    }

    /** Our extension routes given bad parameters or a body they cannot read: 400 with a JSON reason. */
    static void badRequest(RoutingContext ctx, Object reply) {
        refused(ctx, 400, reply);
    }

    private static void refused(RoutingContext ctx, int status, Object reply) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json")
                .end(Buffer.buffer(ConveyorJson.write(reply)));
    }

    static void text(RoutingContext ctx, String body) {
        ctx.response().setStatusCode(200).putHeader("Content-Type", SNIFFED).end(body);
    }

    static void error(RoutingContext ctx, int status, String message) {
        ctx.response().setStatusCode(status).putHeader("Content-Type", SNIFFED)
                .putHeader("X-Content-Type-Options", "nosniff").end(message.endsWith("\n") ? message : message + "\n");
    }

    static void notFound(RoutingContext ctx) {
        error(ctx, 404, "404 page not found");
    }

    static void methodNotAllowed(RoutingContext ctx) {
        ctx.response().setStatusCode(405).end();
    }
}
