package org.cvmfs.suite.protocol.signing;

import org.cvmfs.suite.protocol.manifest.SignedManifest;

/**
 * The two root files a signing produces. {@code HeadPublisher} stages the reflog, replaces the
 * manifest, then the reflog, so that a crash in between is repaired from the staged copy.
 *
 * @param reflog   raw bytes of {@code .cvmfsreflog}, hashing to the manifest's {@code Y}
 * @param manifest the new {@code .cvmfspublished}
 */
public record SignedPublication(byte[] reflog, SignedManifest manifest) {
}
