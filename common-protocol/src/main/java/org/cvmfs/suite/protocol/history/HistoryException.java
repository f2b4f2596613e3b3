package org.cvmfs.suite.protocol.history;

/** A history or reflog database that is not what the repository format says, or a refused tag change. */
public class HistoryException extends RuntimeException {
    public HistoryException(String message) {
        super(message);
    }
}
