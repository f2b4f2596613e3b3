package org.cvmfs.suite.gateway.payload;

import org.cvmfs.suite.gateway.receiver.PayloadReceiver;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.cvmfs.suite.gateway.receiver.Backend;
import org.cvmfs.suite.gateway.receiver.ReceiverException;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.lease.PublishStatistics;
import org.cvmfs.suite.gateway.repo.RepositoryRegistry;
import org.cvmfs.suite.protocol.config.GatewayUserConfig;
import org.cvmfs.suite.protocol.pack.ObjectPackException;
import org.cvmfs.suite.protocol.pack.ObjectPackReader;

/**
 * Streams packs straight into the repository's object store, verifying the header digest and
 * every object's hash on the way. Refusal reasons keep the receiver's categories as prefixes
 * ({@code other_error} for bad input, {@code uploader_error} for storage failures).
 */
@Singleton
@Backend(GatewayUserConfig.BACKEND_NATIVE)
public class NativePayloadReceiver implements PayloadReceiver {
    private final RepositoryRegistry repositories;

    @Inject
    public NativePayloadReceiver(RepositoryRegistry repositories) {
        this.repositories = repositories;
    }

    @Override
    public PublishStatistics receive(Lease lease, String payloadDigest, int headerSize, InputStream pack) {
        var repository = repositories.find(lease.repository())
                .orElseThrow(() -> new ReceiverException("other_error: repository " + lease.repository()
                        + " is no longer configured"));
        try {
            return PublishStatistics.of(new ObjectPackReader(repository.objects()).read(pack, headerSize, payloadDigest));
        } catch (ObjectPackException e) {
            throw new ReceiverException("other_error: " + e.getMessage(), e);
        } catch (UncheckedIOException e) {
            throw new ReceiverException("uploader_error: " + e.getMessage() + ": " + e.getCause().getMessage(), e);
        }
    }
}
