package org.cvmfs.suite.gateway.receiver;

import java.io.InputStream;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.lease.PublishStatistics;

/**
 * Stores one object pack for a lease: {@code pack} holds the pack header ({@code headerSize}
 * bytes, whose SHA-1 must be {@code payloadDigest}) and then the objects, and ends with them.
 * Objects become part of the repository's store but nothing refers to them until a commit.
 * Throws {@link org.cvmfs.suite.gateway.receiver.ReceiverException} when the pack is refused.
 */
public interface PayloadReceiver {
    PublishStatistics receive(Lease lease, String payloadDigest, int headerSize, InputStream pack);
}
