package org.cvmfs.suite.notify.api;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.notify.service.Publication;
import org.cvmfs.suite.notify.service.Subscriber;

/**
 * One SSE stream. Everything runs on the connection's event loop. Each event is one write of
 * one SSE frame; consecutive writes are at least {@code spacing} apart and a slow reader only
 * ever has the newest publication waiting ({@link PendingPublications}), so a C++ client never finds two events in one read.
 */
final class SseSubscriber implements Subscriber {
    private final String repository;
    private final Context context;
    private final HttpServerResponse response;
    private final long spacingNanos;

    private final PendingPublications pending = new PendingPublications();
    private long lastWriteNanos;
    private boolean waiting;
    private boolean closed;

    SseSubscriber(String repository, Context context, HttpServerResponse response, long spacingMillis) {
        this.repository = repository;
        this.context = context;
        this.response = response;
        this.spacingNanos = TimeUnit.MILLISECONDS.toNanos(spacingMillis);
    }

    @Override
    public String repository() {
        return repository;
    }

    @Override
    public void deliver(Publication p) {
        context.runOnContext(v -> offer(p));
    }

    @Override
    public void abort() {
        context.runOnContext(v -> {
            if (!closed) {
                closed = true;
                response.reset(); // on HTTP/1.1 this closes the connection without the final chunk
            }
        });
    }

    /** The connection is gone. */
    void closed() {
        closed = true;
        pending.clear();
    }

    private void offer(Publication p) {
        if (!closed && pending.offer(p)) {
            pump();
        }
    }

    private void pump() {
        if (closed || waiting || pending.isEmpty()) {
            return;
        }
        if (response.writeQueueFull()) {
            waiting = true;
            response.drainHandler(v -> {
                waiting = false;
                pump();
            });
            return;
        }
        long early = lastWriteNanos == 0 ? 0 : lastWriteNanos + spacingNanos - System.nanoTime();
        if (early > 0) {
            waiting = true;
            context.owner().setTimer(Math.max(1, TimeUnit.NANOSECONDS.toMillis(early)), t -> {
                waiting = false;
                pump();
            });
            return;
        }
        Publication p = pending.take();
        lastWriteNanos = System.nanoTime();
        response.write(Buffer.buffer(p.sseFrame())).onFailure(e -> closed());
    }
}
