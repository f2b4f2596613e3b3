package org.cvmfs.suite.notify.service;

/** A publish the service does not forward, with the reason sent back to the publisher. */
public class PublicationRefusedException extends RuntimeException {
    /** Why, in terms a caller can map to a reply. */
    public enum Cause {
        /** Not an activity message, or a manifest that is not one. */
        MALFORMED,
        /** HMAC required and missing or wrong. */
        UNAUTHENTICATED,
        /** The manifest signature does not verify with the repository's certificate. */
        FORGED,
        /** The revision is lower than the one already published. */
        OUTDATED
    }

    private final Cause cause;

    public PublicationRefusedException(Cause cause, String reason) {
        super(reason);
        this.cause = cause;
    }

    public Cause refusal() {
        return cause;
    }
}
