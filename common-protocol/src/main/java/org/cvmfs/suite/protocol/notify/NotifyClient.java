package org.cvmfs.suite.protocol.notify;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReference;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.http.HttpClients;

/**
 * Publishes activity messages to, and subscribes to them from, a notification service: ours,
 * the upstream gateway (Variant B) or the standalone {@code cvmfs-notify} on its SSE-compatible
 * paths. The server URL is either an API root ({@code http://gw:4929/api/v1}, to which
 * {@code /notifications/publish} or {@code /notifications/subscribe} is appended, as current
 * clients do) or a full endpoint ending in {@code /publish} or {@code /subscribe}, as the 2.6.0
 * clients and the 2019 tutorial write it.
 */
public final class NotifyClient {
    private static final String USER_AGENT = "cvmfs-suite-notify/" + ActivityMessage.PROTOCOL_VERSION;
    private static final Duration PUBLISH_TIMEOUT = Duration.ofSeconds(60);

    private final URI serverUrl;
    private final URI publishUri;
    private final URI subscribeUri;
    private final HttpClient http;
    private final Optional<GatewayKey> key;

    private NotifyClient(URI serverUrl, HttpClient http, Optional<GatewayKey> key) {
        this.serverUrl = serverUrl;
        this.publishUri = endpoint(serverUrl, "publish");
        this.subscribeUri = endpoint(serverUrl, "subscribe");
        this.http = Objects.requireNonNull(http, "http client");
        this.key = key;
    }

    public static NotifyClient create(URI serverUrl) {
        return create(serverUrl, newHttpClient());
    }

    /** With a caller's client, e.g. one shared by many subscriptions. It should speak HTTP/1.1. */
    public static NotifyClient create(URI serverUrl, HttpClient http) {
        return new NotifyClient(serverUrl, http, Optional.empty());
    }

    public static HttpClient newHttpClient() {
        return HttpClients.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
    }

    /**
     * The same client, signing the body of each publish with a gateway key ({@link GatewayAuth}).
     * Upstream publishers send no such header; servers require it only when configured to.
     */
    public NotifyClient withGatewayKey(GatewayKey gatewayKey) {
        return new NotifyClient(serverUrl, http, Optional.of(Objects.requireNonNull(gatewayKey, "gateway key")));
    }

    public URI publishUri() {
        return publishUri;
    }

    public URI subscribeUri() {
        return subscribeUri;
    }

    /** Where a URL leads for {@code action} ("publish" or "subscribe"); see the class comment. */
    static URI endpoint(URI serverUrl, String action) {
        String scheme = serverUrl.getScheme();
        if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme)) {
            throw new IllegalArgumentException("notification server URL must be http or https: " + serverUrl);
        }
        String path = serverUrl.getRawPath() == null ? "" : serverUrl.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/publish") || path.endsWith("/subscribe")) {
            path = path.substring(0, path.lastIndexOf('/') + 1) + action;
        } else {
            path = path + "/notifications/" + action;
        }
        return serverUrl.resolve(path);
    }

    /** Publishes the manifest of {@code repository}, stamped now. */
    public PublishReply publish(String repository, byte[] manifest) throws IOException, InterruptedException {
        return publish(ActivityMessage.of(repository, manifest, ZonedDateTime.now()));
    }

    public PublishReply publish(ActivityMessage message) throws IOException, InterruptedException {
        return publishRaw(message.toJson());
    }

    /**
     * Posts {@code body} as it is. An {@link IOException} means the request did not complete;
     * a refusal by the server is a reply whose {@link PublishReply#accepted()} is false.
     */
    public PublishReply publishRaw(byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(publishUri)
                .timeout(PUBLISH_TIMEOUT)
                .header("User-Agent", USER_AGENT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        key.ifPresent(k -> request.header(GatewayAuth.HEADER, GatewayAuth.sign(k, body)));
        HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        return new PublishReply(response.statusCode(), response.body());
    }

    /** The server's answer to a publish. */
    public record PublishReply(int status, String body) {
        public boolean accepted() {
            return status == 200;
        }
    }

    /** Receives the messages of one subscription, on an HTTP client thread. */
    public interface Listener {
        /** The server answered 200 and holds the subscription. */
        default void onConnected() {
        }

        void onMessage(ActivityMessage message);
    }

    /**
     * Opens one SSE subscription and returns at once. The subscription ends when the server
     * ends the stream ({@link Subscription#ended()} completes normally), when it fails (refusal,
     * broken connection, an event that is not an activity message: it completes exceptionally)
     * or when it is closed. Reconnecting is the caller's choice.
     */
    public Subscription subscribe(String repository, Listener listener) {
        HttpRequest request = HttpRequest.newBuilder(subscribeUri)
                .header("User-Agent", USER_AGENT)
                .header("Content-Type", "application/json")
                .method("GET", HttpRequest.BodyPublishers.ofByteArray(SubscriptionRequest.of(repository).toJson()))
                .build();
        Subscription subscription = new Subscription(listener);
        subscription.exchange = http.sendAsync(request, info -> subscription.bodySubscriber(info.statusCode()));
        subscription.exchange.whenComplete((response, failure) -> {
            if (failure != null) {
                subscription.ended.completeExceptionally(failure);
            }
        });
        return subscription;
    }

    /** One open subscription. */
    public static final class Subscription implements AutoCloseable {
        private final Listener listener;
        private final CompletableFuture<Void> ended = new CompletableFuture<>();
        private final AtomicReference<Flow.Subscription> stream = new AtomicReference<>();
        private volatile CompletableFuture<HttpResponse<Void>> exchange;

        private Subscription(Listener listener) {
            this.listener = listener;
        }

        /** Completes when the subscription is over; exceptionally unless the server ended it cleanly. */
        public CompletableFuture<Void> ended() {
            return ended;
        }

        @Override
        public void close() {
            ended.completeExceptionally(new SubscriptionClosedException());
            Flow.Subscription s = stream.get();
            if (s != null) {
                s.cancel();
            }
            CompletableFuture<HttpResponse<Void>> e = exchange;
            if (e != null) {
                e.cancel(true);
            }
        }

        private BodySubscriber<Void> bodySubscriber(int status) {
            if (status != 200) {
                return BodySubscribers.mapping(BodySubscribers.ofString(StandardCharsets.UTF_8), body -> {
                    ended.completeExceptionally(new IOException("subscription refused with HTTP " + status + ": "
                            + JsonFields.abbreviate(body.strip())));
                    return null;
                });
            }
            listener.onConnected();
            return BodySubscribers.fromLineSubscriber(new Lines());
        }

        private final class Lines implements Flow.Subscriber<String> {
            private final SseEventDecoder decoder = new SseEventDecoder();

            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                stream.set(subscription);
                if (ended.isDone()) {
                    subscription.cancel();
                } else {
                    subscription.request(Long.MAX_VALUE);
                }
            }

            @Override
            public void onNext(String line) {
                Optional<String> event = decoder.line(line);
                if (event.isEmpty() || ended.isDone()) {
                    return;
                }
                ActivityMessage message;
                try {
                    message = ActivityMessage.parse(event.get().getBytes(StandardCharsets.UTF_8));
                } catch (NotifyMessageException e) {
                    ended.completeExceptionally(e);
                    stream.get().cancel();
                    return;
                }
                listener.onMessage(message);
            }

            @Override
            public void onError(Throwable failure) {
                ended.completeExceptionally(failure);
            }

            @Override
            public void onComplete() {
                ended.complete(null);
            }
        }
    }

    /** The reason a subscription ended when its owner closed it. */
    public static final class SubscriptionClosedException extends IOException {
        SubscriptionClosedException() {
            super("subscription closed");
        }
    }
}
