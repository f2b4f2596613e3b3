package org.cvmfs.suite.conveyor.server.rest;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import org.cvmfs.suite.protocol.conveyor.ConveyorAuth;

/** The HMAC check of every route (spec 4.2): body for POST, raw query string otherwise. */
final class SignedRequest {
    private SignedRequest() {
    }

    /** True when valid; otherwise the 400/403 reply has been sent. */
    static boolean verify(RoutingContext ctx, String sharedKey) {
        byte[] message;
        if (ctx.request().method() == HttpMethod.POST) {
            message = body(ctx);
        } else {
            String q = ctx.request().query();
            message = (q == null ? "" : q).getBytes(StandardCharsets.UTF_8);
        }
        ConveyorAuth.Verdict verdict = ConveyorAuth.verify(sharedKey, ctx.request().getHeader(ConveyorAuth.HEADER), message);
        if (verdict == ConveyorAuth.Verdict.VALID) {
            return true;
        }
        Responses.error(ctx, verdict.status, verdict.body);
        return false;
    }

    /** The request's body as received (the bytes the MAC covers), empty when it has none. */
    static byte[] body(RoutingContext ctx) {
        return ctx.body() == null || ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes();
    }
}
