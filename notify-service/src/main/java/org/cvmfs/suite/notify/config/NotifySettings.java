package org.cvmfs.suite.notify.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.cvmfs.suite.protocol.config.HostPaths;

/** The service's settings, filled from {@code config.json} by {@link NotifyConfigSource}. */
@ConfigMapping(prefix = "cvmfs.notify")
public interface NotifySettings {
    /** Upstream's {@code testing_mode}: one node, no broker. */
    @WithDefault("false")
    boolean testingMode();

    Amqp amqp();

    /** Last-value cache directory; default {@code /var/lib/cvmfs-notify} under the host prefix. */
    Optional<Path> cacheDir();

    /** Where {@code <repo>.crt} (signature check) and {@code <repo>.gw} (HMAC) are found; default {@code /etc/cvmfs/keys}. */
    Optional<Path> keysDir();

    @WithDefault("none")
    PublishAuth publishAuth();

    /**
     * The least time between two events on one SSE stream. The C++ subscriber parses per
     * received chunk and corrupts a message that shares a chunk with the one before, so
     * back-to-back events are spaced and, meanwhile, coalesced to the newest.
     */
    @WithDefault("25ms")
    Duration sseSpacing();

    /**
     * How long a request head may take to arrive, from the accept (or the first byte after a
     * request), however slowly it trickles in ({@code api.HeaderReadDeadline}).
     */
    @WithDefault("20s")
    Duration headerTimeout();

    interface Amqp {
        @WithDefault("localhost")
        String host();

        @WithDefault("5672")
        int port();

        @WithDefault("/cvmfs")
        String vhost();

        Optional<String> user();

        Optional<String> password();

        @WithDefault("repository.activity")
        String exchange();

        /** How long the relay waits before reconnecting, or reopening a channel, after a failure. */
        @WithDefault("5s")
        Duration retryInterval();

        /** How long a publisher confirm may take before the publishing channel is given up and reopened. */
        @WithDefault("10s")
        Duration confirmTimeout();

        /**
         * How long the broker keeps this node's queue once no one consumes from it: a node away
         * for less (a broker restart, a network cut) finds what was routed to it meanwhile; the
         * queue of a node gone for good goes away by itself.
         */
        @WithDefault("30m")
        Duration queueExpiry();

        /**
         * The most repositories this node binds on the exchange (those it has subscribers or a
         * cached publication for). Subscriber requests name repositories freely, so they must not
         * grow the broker's bindings without bound.
         */
        @WithDefault("10000")
        int maxBindings();
    }

    enum PublishAuth {
        /** As upstream: anyone who reaches the port may publish. */
        NONE,
        /** Publishes carry the gateway HMAC of the repository's {@code <repo>.gw} key. */
        HMAC
    }

    default Path resolvedCacheDir() {
        return cacheDir().orElseGet(() -> HostPaths.fromEnvironment().prefix().resolve("var/lib/cvmfs-notify"));
    }

    default Path resolvedKeysDir() {
        return keysDir().orElseGet(() -> HostPaths.fromEnvironment().etcCvmfs().resolve("keys"));
    }
}
