package org.cvmfs.suite.notify.service;

/**
 * Carries accepted publications between the nodes that serve the same subscribers. Local
 * subscribers never wait for it: a node delivers its own publications directly and the relay
 * only tells the others. The port belongs to the service; {@code relay} implements it.
 */
public interface ActivityRelay {
    /** Called with every message another node relayed; may block. */
    @FunctionalInterface
    interface Inbound {
        void accept(String repository, byte[] body);
    }

    /** Whether the node still has a reason to hear about a repository (subscribers, a cached publication). */
    @FunctionalInterface
    interface Interest {
        boolean follows(String repository);
    }

    void start(Inbound inbound, Interest interest);

    /**
     * From now on, receive what other nodes relay for {@code repository}. Idempotent.
     *
     * @return false when the repository is not followed yet and the node already follows as many
     *         as it may ({@code cvmfs.notify.amqp.max-bindings})
     */
    boolean follow(String repository);

    /** The node may have lost interest: {@link Interest} is asked again before the repository is let go. */
    void release(String repository);

    /** Tells the other nodes; returns at once and retries while the broker is away. */
    void publish(Publication publication);

    /** Whether messages currently flow both ways (always true without a broker). */
    boolean connected();

    void stop();
}
