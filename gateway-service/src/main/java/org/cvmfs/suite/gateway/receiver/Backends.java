package org.cvmfs.suite.gateway.receiver;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.receiver.PayloadReceiver;
import org.jboss.logging.Logger;

/** Picks the receiver implementations of the configured backend. */
public final class Backends {
    private static final Logger LOG = Logger.getLogger(Backends.class);

    /**
     * The configured backend's commit. A build without one still serves leases and payloads;
     * its commits are refused with a reason that says so (and start-up warns).
     */
    @Produces
    @Singleton
    Receiver receiver(GatewaySettings settings, @Any Instance<Receiver> candidates) {
        String backend = settings.user().receiverBackend();
        Instance<Receiver> chosen = candidates.select(new Backend.Literal(backend));
        if (chosen.isResolvable()) {
            return chosen.get();
        }
        String reason = "miscellaneous: receiver backend '" + backend + "' cannot commit in this build";
        LOG.warnf("%s; commits will be refused (choose another \"receiver_backend\" in user.json)", reason);
        return (lease, oldRoot, newRoot, tag) -> {
            throw new ReceiverException(reason);
        };
    }

    @Produces
    @Singleton
    PayloadReceiver payloadReceiver(GatewaySettings settings, @Any Instance<PayloadReceiver> candidates) {
        String backend = settings.user().receiverBackend();
        Instance<PayloadReceiver> chosen = candidates.select(new Backend.Literal(backend));
        if (!chosen.isResolvable()) {
            throw new IllegalStateException("receiver backend '" + backend + "' cannot store payloads in this build");
        }
        return chosen.get();
    }
}
