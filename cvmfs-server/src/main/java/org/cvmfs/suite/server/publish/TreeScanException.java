package org.cvmfs.suite.server.publish;

/** A working tree that cannot be published as it is; the message names the path and the reason. */
public class TreeScanException extends RuntimeException {
    public TreeScanException(String message) {
        super(message);
    }

    public TreeScanException(String message, Throwable cause) {
        super(message, cause);
    }
}
