package org.cvmfs.suite.notify.service;

import org.cvmfs.suite.protocol.notify.SseFraming;

/**
 * An accepted activity message, ready to forward: the publisher's JSON bytes (line breaks
 * removed, otherwise verbatim), its SSE frame, and what the service learned from the manifest.
 *
 * @param sequence the order in which this node accepted publications; -1 until accepted. A
 *                 subscriber never receives a lower sequence after a higher one.
 */
public record AcceptedActivity(String repository, long revision, byte[] wire, byte[] sseFrame, long sequence) {
    static AcceptedActivity of(String repository, long revision, byte[] wire) {
        return new AcceptedActivity(repository, revision, wire, SseFraming.frame(wire), -1);
    }

    AcceptedActivity accepted(long sequenceNumber) {
        return new AcceptedActivity(repository, revision, wire, sseFrame, sequenceNumber);
    }

    @Override
    public String toString() {
        return "AcceptedActivity[" + repository + " revision " + revision + ", #" + sequence + "]";
    }
}
