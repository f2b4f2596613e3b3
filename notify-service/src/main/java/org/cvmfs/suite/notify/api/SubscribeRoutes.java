package org.cvmfs.suite.notify.api;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import org.cvmfs.suite.notify.config.NotifySettings;
import org.cvmfs.suite.notify.service.BindingLimitException;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.protocol.notify.NotifyMessageException;
import org.cvmfs.suite.protocol.notify.SubscriptionRequest;
import org.jboss.logging.Logger;

/**
 * Subscribe, on plain Vert.x routes because the wire format must be exact: a {@code GET} whose
 * JSON body names the repository, answered with an SSE stream (gateway protocol, current C++
 * clients), or a WebSocket upgrade (2019 {@code cvmfs-notify} protocol, cvmfs 2.6.0). Paths:
 * {@code /api/v1/subscribe}, {@code /api/v1/notifications/subscribe}, and the path a current
 * client builds from the tutorial's {@code CVMFS_NOTIFICATION_SERVER=http://gw:4930/api/v1/subscribe}.
 */
@Singleton
public class SubscribeRoutes {
    private static final Logger LOG = Logger.getLogger(SubscribeRoutes.class);
    /** A subscription request is some 50 bytes; anything near this is not one. */
    private static final int MAX_REQUEST_BYTES = 16 * 1024;
    static final String[] PATHS = {
        "/api/v1/subscribe", "/api/v1/notifications/subscribe", "/api/v1/subscribe/notifications/subscribe"};

    private final NotificationService service;
    private final long spacingMillis;

    @Inject
    public SubscribeRoutes(NotificationService service, NotifySettings settings) {
        this.service = service;
        this.spacingMillis = settings.sseSpacing().toMillis();
    }

    void register(@Observes Router router) {
        for (String path : PATHS) {
            router.route(path).handler(this::handle);
        }
    }

    private void handle(RoutingContext ctx) {
        HttpServerRequest request = ctx.request();
        if (isUpgrade(request)) {
            Context context = Vertx.currentContext();
            request.toWebSocket()
                    .onSuccess(ws -> new WebSocketSession(ws, context, service).start())
                    .onFailure(e -> LOG.debugf("WebSocket upgrade failed: %s", e.getMessage()));
            return;
        }
        if (request.method() != HttpMethod.GET) {
            ctx.response().setStatusCode(405).end();
            return;
        }
        Buffer body = Buffer.buffer();
        request.handler(chunk -> {
            if (ctx.response().ended()) {
                return;
            }
            if (body.length() + chunk.length() > MAX_REQUEST_BYTES) {
                refuse(ctx, 413, "subscription request larger than " + MAX_REQUEST_BYTES + " bytes");
                request.connection().close();
            } else {
                body.appendBuffer(chunk);
            }
        });
        request.endHandler(v -> {
            if (!ctx.response().ended()) {
                stream(ctx, body);
            }
        });
        request.resume();
    }

    private void stream(RoutingContext ctx, Buffer body) {
        SubscriptionRequest request;
        try {
            request = SubscriptionRequest.parse(body.getBytes());
        } catch (NotifyMessageException e) {
            refuse(ctx, 400, e.getMessage());
            return;
        }
        HttpServerResponse response = ctx.response();
        SseSubscriber subscriber = new SseSubscriber(request.repository(), Vertx.currentContext(), response, spacingMillis);
        Runnable unsubscribe;
        try {
            // deliveries run on this event loop after this handler, so the stream is set up by then
            unsubscribe = service.subscribe(subscriber);
        } catch (IllegalArgumentException e) {
            subscriber.closed();
            refuse(ctx, 400, e.getMessage());
            return;
        } catch (BindingLimitException e) {
            subscriber.closed();
            LOG.warn(e.getMessage());
            refuse(ctx, 503, e.getMessage());
            return;
        }
        response.setChunked(true)
                .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream")
                .putHeader(HttpHeaders.CACHE_CONTROL, "no-cache")
                .putHeader(HttpHeaders.CONNECTION, "keep-alive");
        response.closeHandler(v -> {
            subscriber.closed();
            unsubscribe.run();
        });
        if (!IdleTimeoutExemption.grant(ctx.request().connection())) {
            LOG.debugf("no idle timeout to lift on the subscription to %s", request.repository());
        }
        // Headers go out at once (the Go gateway waits for the first event), so a client knows it is subscribed.
        response.writeHead();
        if (response.closed()) {
            subscriber.closed();
            unsubscribe.run();
        }
    }

    private static void refuse(RoutingContext ctx, int status, String reason) {
        ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .end(StatusReply.error(reason).toJson());
    }

    private static boolean isUpgrade(HttpServerRequest request) {
        String upgrade = request.getHeader(HttpHeaders.UPGRADE);
        return upgrade != null && upgrade.equalsIgnoreCase("websocket");
    }
}
