package org.cvmfs.suite.notify.service;

/**
 * A subscription to one more repository than the node may follow. Any client may name any
 * repository, and each followed one is a binding on the broker, so their number is bounded.
 */
public class BindingLimitException extends RuntimeException {
    public BindingLimitException(String repository) {
        super("this node follows as many repositories as it may; " + repository + " is not one of them");
    }
}
