package org.cvmfs.suite.gateway.payload;

import org.cvmfs.suite.gateway.receiver.PayloadReceiver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.cvmfs.suite.gateway.receiver.ReceiverException;
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

    /** Counts the pack bytes that passed, for the ingest metric. */
    private static final class CountingInputStream extends FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        long count() {
            return count;
        }
    }

    public GatewayReply submit(String token, String payloadDigest, int headerSize, InputStream pack) {
        Optional<Lease> found = leases.active(token);
        if (found.isEmpty()) {
            metrics.counter("cvmfs_gateway_payloads", "outcome", "invalid_lease").increment();
            return GatewayReply.error("invalid lease");
        }
        Lease lease = found.get();
        Timer.Sample sample = Timer.start(metrics);
        CountingInputStream counted = new CountingInputStream(pack);
        PublishStatistics stats;
        try {
            stats = receiver.receive(lease, payloadDigest, headerSize, counted);
        } catch (ReceiverException e) {
            metrics.counter("cvmfs_gateway_payload_bytes_received").increment(counted.count());
            sample.stop(metrics.timer("cvmfs_gateway_payload_duration", "outcome", "refused"));
            metrics.counter("cvmfs_gateway_payloads", "outcome", "refused").increment();
            LOG.warnf("payload refused: path=%s key_id=%s reason=%s", lease.path(), lease.keyId(), e.getMessage());
            return GatewayReply.error(e.getMessage());
        } catch (RuntimeException e) {
            sample.stop(metrics.timer("cvmfs_gateway_payload_duration", "outcome", "failed"));
            metrics.counter("cvmfs_gateway_payloads", "outcome", "failed").increment();
            LOG.errorf(e, "payload failed: path=%s key_id=%s", lease.path(), lease.keyId());
            return GatewayReply.error("runtime error: " + e);
        }
        sample.stop(metrics.timer("cvmfs_gateway_payload_duration", "outcome", "ok"));
        metrics.counter("cvmfs_gateway_payloads", "outcome", "ok").increment();
        metrics.counter("cvmfs_gateway_payload_bytes_received").increment(counted.count());
        metrics.counter("cvmfs_gateway_payload_bytes_stored").increment(stats.uploadedBytes());
        leases.addStatistics(lease, stats);
        LOG.debugf("payload stored: path=%s key_id=%s objects_added=%d duplicated=%d catalogs=%d bytes=%d",
                lease.path(), lease.keyId(), stats.chunksAdded(), stats.chunksDuplicated(), stats.catalogsAdded(),
                stats.uploadedBytes());
        return GatewayReply.ok();
    }
}
