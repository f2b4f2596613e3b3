package org.cvmfs.suite.protocol.httpserver;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The clock of one HTTP/1.1 connection that closes it when a request head is not complete in
 * time: from the accept, and from the first byte after a finished request, to the end of the
 * next head. An idle timeout cannot do this: a client that trickles one byte every few seconds
 * keeps the connection busy forever (slowloris). A body may take as long as the idle timeout
 * allows; a connection that waits between requests without a byte is the idle timeout's too.
 *
 * <p>Two handlers share the state, both on the channel's event loop: {@link Bytes}, first in the
 * pipeline, sees the raw stream (starts the clock); {@link Heads}, right after the HTTP decoder
 * ({@value #DECODER}, Vert.x's name), sees a head decoded (stops it) and a request's last content
 * (the next byte starts it again). A connection that left HTTP/1.1 (a WebSocket upgrade replaced
 * the decoder) is let be. Vert.x builds the decoder at the accept only with h2c off; with h2c on it
 * sniffs the first bytes, so the first head of a connection is not timed (the daemons turn h2c off).
 */
final class HeaderDeadline {
    static final String BYTES = "cvmfsHeaderDeadline";
    static final String HEADS = "cvmfsHeaderDeadlineHeads";
    static final String DECODER = "httpDecoder";

    private final long deadlineNanos;
    private ScheduledFuture<?> clock;
    private boolean betweenRequests;

    private HeaderDeadline(long deadlineNanos) {
        this.deadlineNanos = deadlineNanos;
    }

    /** Puts the clock on a connection just accepted (before its own handlers are added). */
    static void install(Channel accepted, long deadlineNanos) {
        accepted.pipeline().addFirst(BYTES, new HeaderDeadline(deadlineNanos).new Bytes());
    }

    private void start(ChannelHandlerContext ctx) {
        stop();
        clock = ctx.executor().schedule(() -> ctx.close(), deadlineNanos, TimeUnit.NANOSECONDS);
    }

    private void stop() {
        if (clock != null) {
            clock.cancel(false);
            clock = null;
        }
    }

    /** First in the pipeline: raw bytes. */
    final class Bytes extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            start(ctx); // added at the accept; runs once the connection is registered
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ChannelPipeline pipeline = ctx.pipeline();
            boolean decoding = pipeline.get(DECODER) != null;
            if (!decoding && pipeline.get(HEADS) != null) {
                stop(); // no longer HTTP/1.1 (upgraded): nothing to time
                pipeline.remove(HEADS);
                pipeline.remove(this);
            } else {
                if (decoding && pipeline.get(HEADS) == null) {
                    pipeline.addAfter(DECODER, HEADS, new Heads());
                }
                if (betweenRequests) {
                    betweenRequests = false;
                    start(ctx);
                }
            }
            ctx.fireChannelRead(msg);
            if (!decoding && pipeline.get(DECODER) != null && pipeline.get(HEADS) == null) {
                // HTTP/1.1 only now: Vert.x sniffed for h2c first, and the head that decided it passed unseen
                pipeline.addAfter(DECODER, HEADS, new Heads());
                stop();
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            stop();
            ctx.fireChannelInactive();
        }

        @Override
        public void handlerRemoved(ChannelHandlerContext ctx) {
            stop();
        }
    }

    /** After the decoder: decoded heads and contents. */
    final class Heads extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest) {
                stop();
            }
            if (msg instanceof LastHttpContent) {
                betweenRequests = true;
            }
            ctx.fireChannelRead(msg);
        }
    }
}
