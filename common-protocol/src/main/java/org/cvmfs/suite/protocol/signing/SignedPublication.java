package org.cvmfs.suite.protocol.signing;

import org.cvmfs.suite.protocol.manifest.SignedManifest;

/**
 * The two root files a signing produces, to be put in place in this order: the reflog first, so
 * that the manifest never names a reflog digest that is not served yet.
 *
 * @param reflog   raw bytes of {@code .cvmfsreflog}, hashing to the manifest's {@code Y}
 * @param manifest the new {@code .cvmfspublished}
 */
public record SignedPublication(byte[] reflog, SignedManifest manifest) {
}
