package org.cvmfs.suite.protocol.sqlite;

/** A repository database that cannot be opened, read or written. */
public class SqliteException extends RuntimeException {
    public SqliteException(String message) {
        super(message);
    }

    public SqliteException(String message, Throwable cause) {
        super(message, cause);
    }
}
