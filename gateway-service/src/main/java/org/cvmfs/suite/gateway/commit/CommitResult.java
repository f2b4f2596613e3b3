package org.cvmfs.suite.gateway.commit;

/** A published commit. */
public record CommitResult(long finalRevision) {
}
