package org.cvmfs.suite.gateway.payload;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.InputStream;
import java.util.Optional;
import org.cvmfs.suite.gateway.commit.ReceiverException;
import org.cvmfs.suite.gateway.lease.Lease;
import org.cvmfs.suite.gateway.lease.LeaseService;
import org.cvmfs.suite.gateway.lease.PublishStatistics;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.jboss.logging.Logger;

/** Accepts object packs for unexpired leases. Payloads take no lock: they only add immutable objects. */
@Singleton
public class PayloadService {
    private static final Logger LOG = Logger.getLogger(PayloadService.class);

    private final LeaseService leases;
    private final PayloadReceiver receiver;
    private final MeterRegistry metrics;

    @Inject
    public PayloadService(LeaseService leases, PayloadReceiver receiver, MeterRegistry metrics) {
        this.leases = leases;
        this.receiver = receiver;
        this.metrics = metrics;
    }

    public GatewayReply submit(String token, String payloadDigest, int headerSize, InputStream pack) {
        Optional<Lease> found = leases.active(token);
        if (found.isEmpty()) {
            metrics.counter("cvmfs_gateway_payloads", "outcome", "invalid_lease").increment();
            return GatewayReply.error("invalid lease");
        }
        Lease lease = found.get();
        Timer.Sample sample = Timer.start(metrics);
        PublishStatistics stats;
        try {
            stats = receiver.receive(lease, payloadDigest, headerSize, pack);
        } catch (ReceiverException e) {
            sample.stop(metrics.timer("cvmfs_gateway_payload_duration", "outcome", "refused"));
            metrics.counter("cvmfs_gateway_payloads", "outcome", "refused").increment();
            LOG.warnf("payload refused: path=%s key_id=%s reason=%s", lease.path(), lease.keyId(), e.getMessage());
            return GatewayReply.error(e.getMessage());
        }
        sample.stop(metrics.timer("cvmfs_gateway_payload_duration", "outcome", "ok"));
        metrics.counter("cvmfs_gateway_payloads", "outcome", "ok").increment();
        metrics.counter("cvmfs_gateway_payload_bytes_stored").increment(stats.uploadedBytes());
        leases.addStatistics(lease, stats);
        LOG.debugf("payload stored: path=%s key_id=%s objects_added=%d duplicated=%d catalogs=%d bytes=%d",
                lease.path(), lease.keyId(), stats.chunksAdded(), stats.chunksDuplicated(), stats.catalogsAdded(),
                stats.uploadedBytes());
        return GatewayReply.ok();
    }
}
