package org.cvmfs.suite.protocol.repository.check;

/**
 * The classes of fault {@link RepositoryChecker} tells apart, each with the exit code
 * {@code cvmfs_server check} returns when it is the first class found.
 */
public enum FaultKind {
    /** Manifest, certificate or whitelist: what a client verifies before it trusts anything. */
    TRUST_CHAIN(3, "trust chain"),
    META_INFO(4, "meta information"),
    REFLOG(5, "reflog"),
    HISTORY(6, "history"),
    CATALOG(7, "catalog"),
    /** A referenced object that is missing or does not hash to its name. */
    OBJECT(8, "object");

    private final int exitCode;
    private final String label;

    FaultKind(int exitCode, String label) {
        this.exitCode = exitCode;
        this.label = label;
    }

    public int exitCode() {
        return exitCode;
    }

    public String label() {
        return label;
    }
}
