package org.cvmfs.suite.notify.testing;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.cvmfs.suite.notify.config.NotifySettings;

/** Broker settings for relays a test builds itself: short retries, and an exchange of its own on a shared broker. */
public record TestAmqp(String host, int port, String exchange, Duration retryInterval, Duration confirmTimeout,
        int maxBindings) implements NotifySettings.Amqp {

    /** The shared broker on 127.0.0.1:5672, with a fresh exchange so parallel runs do not meet. */
    public static TestAmqp sharedBroker(String purpose) {
        return new TestAmqp("127.0.0.1", 5672, "notify-test-" + purpose + "-" + UUID.randomUUID(),
                Duration.ofMillis(200), Duration.ofSeconds(10), 10_000);
    }

    public TestAmqp withRetryInterval(Duration interval) {
        return new TestAmqp(host, port, exchange, interval, confirmTimeout, maxBindings);
    }

    public TestAmqp withConfirmTimeout(Duration timeout) {
        return new TestAmqp(host, port, exchange, retryInterval, timeout, maxBindings);
    }

    public TestAmqp withMaxBindings(int max) {
        return new TestAmqp(host, port, exchange, retryInterval, confirmTimeout, max);
    }

    public TestAmqp at(String newHost, int newPort) {
        return new TestAmqp(newHost, newPort, exchange, retryInterval, confirmTimeout, maxBindings);
    }

    @Override
    public String vhost() {
        return "/";
    }

    @Override
    public Optional<String> user() {
        return Optional.of("guest");
    }

    @Override
    public Optional<String> password() {
        return Optional.of("guest");
    }

    @Override
    public Duration queueExpiry() {
        return Duration.ofMinutes(5);
    }
}
