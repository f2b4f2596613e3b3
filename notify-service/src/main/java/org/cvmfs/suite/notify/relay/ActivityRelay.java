package org.cvmfs.suite.notify.relay;

import org.cvmfs.suite.notify.service.AcceptedActivity;

/**
 * Carries accepted publications between the nodes that serve the same subscribers. Local
 * subscribers never wait for it: a node delivers its own publications directly and the relay
 * only tells the others.
 */
public interface ActivityRelay {
    /** Called with every message another node relayed; may block. */
    @FunctionalInterface
    interface Inbound {
        void accept(String repository, byte[] body);
    }

    void start(Inbound inbound);

    /** From now on, receive what other nodes relay for {@code repository}. Idempotent. */
    void bind(String repository);

    /** Tells the other nodes; returns at once and retries while the broker is away. */
    void publish(AcceptedActivity publication);

    /** Whether messages currently flow (always true without a broker). */
    boolean connected();

    void stop();
}
