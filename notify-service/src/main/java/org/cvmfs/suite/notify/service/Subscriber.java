package org.cvmfs.suite.notify.service;

/** One subscription of one connection to one repository. */
public interface Subscriber {
    String repository();

    /**
     * Hands over a publication. Must not block: implementations queue it on their connection
     * and may drop it in favour of a newer one (higher {@link AcceptedActivity#sequence()}).
     */
    void deliver(AcceptedActivity publication);

    /**
     * Ends the connection as a failure, never as a clean end of stream: C++ clients stop for good
     * after a clean end, but reconnect after a failure.
     */
    void abort();
}
