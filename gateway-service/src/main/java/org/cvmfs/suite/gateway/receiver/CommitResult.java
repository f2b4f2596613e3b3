package org.cvmfs.suite.gateway.receiver;

/** A published commit. */
public record CommitResult(long finalRevision) {
}
