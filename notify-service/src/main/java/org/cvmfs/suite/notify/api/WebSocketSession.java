package org.cvmfs.suite.notify.api;

import io.vertx.core.Context;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.ServerWebSocket;
import java.util.HashMap;
import java.util.Map;
import org.cvmfs.suite.notify.service.BindingLimitException;
import org.cvmfs.suite.notify.service.NotificationService;
import org.cvmfs.suite.notify.service.Publication;
import org.cvmfs.suite.notify.service.Subscriber;
import org.cvmfs.suite.protocol.notify.NotifyMessageException;
import org.cvmfs.suite.protocol.notify.SubscriptionRequest;

/**
 * The legacy protocol of the 2019 {@code cvmfs-notify} (cvmfs 2.6.0 clients): after the upgrade
 * the client sends one subscription object per repository as a binary frame (text frames are
 * taken too); each activity message goes out as one binary frame holding the published bytes.
 * No acknowledgement; errors are binary status frames and the connection stays open. Runs on the
 * connection's event loop.
 */
final class WebSocketSession {
    private final ServerWebSocket socket;
    private final Context context;
    private final NotificationService service;
    private final Map<String, Runnable> subscriptions = new HashMap<>();
    private final PendingPublications pending = new PendingPublications();
    private boolean waiting;
    private boolean closed;

    WebSocketSession(ServerWebSocket socket, Context context, NotificationService service) {
        this.socket = socket;
        this.context = context;
        this.service = service;
    }

    void start() {
        socket.binaryMessageHandler(this::onRequest);
        socket.textMessageHandler(text -> onRequest(Buffer.buffer(text)));
        socket.closeHandler(v -> {
            closed = true;
            pending.clear();
            subscriptions.values().forEach(Runnable::run);
            subscriptions.clear();
        });
    }

    private void onRequest(Buffer frame) {
        SubscriptionRequest request;
        try {
            request = SubscriptionRequest.parse(frame.getBytes());
        } catch (NotifyMessageException e) {
            socket.writeBinaryMessage(Buffer.buffer(StatusReply.error(e.getMessage()).toJson()));
            return;
        }
        String repository = request.repository();
        if (closed || subscriptions.containsKey(repository)) {
            return;
        }
        try {
            subscriptions.put(repository, service.subscribe(new Subscription(repository)));
        } catch (IllegalArgumentException | BindingLimitException e) {
            socket.writeBinaryMessage(Buffer.buffer(StatusReply.error(e.getMessage()).toJson()));
        }
    }

    private void offer(Publication p) {
        // a subscription the service refused may have been handed a publication meanwhile
        if (!closed && subscriptions.containsKey(p.repository()) && pending.offer(p)) {
            pump();
        }
    }

    private void pump() {
        while (!closed && !waiting && !pending.isEmpty()) {
            if (socket.writeQueueFull()) {
                waiting = true;
                socket.drainHandler(v -> {
                    waiting = false;
                    pump();
                });
                return;
            }
            socket.writeBinaryMessage(Buffer.buffer(pending.take().wire()));
        }
    }

    private final class Subscription implements Subscriber {
        private final String repository;

        Subscription(String repository) {
            this.repository = repository;
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
                if (!socket.isClosed()) {
                    socket.close((short) 1001, "service restarting");
                }
            });
        }
    }
}
