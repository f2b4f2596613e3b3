package org.cvmfs.suite.gateway.api;

/** Ends a request with a non-200 status and upstream's plain-text body (message plus newline). */
final class PlainTextException extends RuntimeException {
    private final int status;

    PlainTextException(int status, String message) {
        super(message, null, false, false);
        this.status = status;
    }

    int status() {
        return status;
    }

    static PlainTextException invalidBody() {
        return new PlainTextException(400, "invalid request body");
    }
}
