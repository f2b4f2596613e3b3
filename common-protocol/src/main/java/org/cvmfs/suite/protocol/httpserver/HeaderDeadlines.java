package org.cvmfs.suite.protocol.httpserver;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.impl.HttpServerImpl;
import io.vertx.core.impl.VertxInternal;
import io.vertx.core.net.impl.TCPServerBase;
import java.lang.reflect.Field;
import java.time.Duration;

/**
 * Gives every HTTP server of a Vert.x instance a header-read deadline ({@link HeaderDeadline}).
 * Neither Quarkus (3.33) nor Vert.x (4.5) has such a setting or a per-connection hook reachable
 * from an application: Quarkus owns the servers and their one connection handler (its connection
 * limit), and that handler runs only once the HTTP pipeline is built. So this reaches the bound
 * server channel of each shared server (Vert.x's {@code TCPServerBase.bindFuture}, by reflection)
 * and puts a handler first in its pipeline that equips each accepted connection with its clock.
 * If a Vert.x upgrade moves that field, {@link #install} fails loudly (the daemons' tests run it).
 * Call once the servers listen (Quarkus's {@code HttpServerStart}); installing twice is harmless.
 */
public final class HeaderDeadlines {
    static final String ACCEPTOR = "cvmfsHeaderDeadlineAcceptor";

    private HeaderDeadlines() {
    }

    /** @return how many listening servers got the deadline now */
    public static int install(Vertx vertx, Duration deadline) {
        if (deadline.isZero() || deadline.isNegative()) {
            throw new IllegalArgumentException("a header-read deadline must be positive, got " + deadline);
        }
        int installed = 0;
        for (HttpServerImpl server : ((VertxInternal) vertx).sharedHttpServers().values()) {
            Channel listening = boundChannel(server);
            synchronized (HeaderDeadlines.class) {
                if (listening.pipeline().get(ACCEPTOR) == null) {
                    listening.pipeline().addFirst(ACCEPTOR, new Acceptor(deadline.toNanos()));
                    installed++;
                }
            }
        }
        return installed;
    }

    private static Channel boundChannel(HttpServerImpl server) {
        try {
            Field field = TCPServerBase.class.getDeclaredField("bindFuture");
            field.setAccessible(true);
            Future<?> bound = (Future<?>) field.get(server);
            if (bound == null || !bound.succeeded() || !(bound.result() instanceof Channel channel)) {
                throw new IllegalStateException("the HTTP server is not bound yet");
            }
            return channel;
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("cannot reach the listening channel of Vert.x's HTTP server to set a "
                    + "header-read deadline: " + e, e);
        }
    }

    /** On the listening channel: each message read is an accepted connection. */
    @ChannelHandler.Sharable
    private static final class Acceptor extends ChannelInboundHandlerAdapter {
        private final long deadlineNanos;

        Acceptor(long deadlineNanos) {
            this.deadlineNanos = deadlineNanos;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Channel accepted) {
                HeaderDeadline.install(accepted, deadlineNanos);
            }
            ctx.fireChannelRead(msg);
        }
    }
}
