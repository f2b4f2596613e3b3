package org.cvmfs.suite.gateway.commit;

import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.payload.PayloadReceiver;

/** Picks the receiver implementations of the configured backend. */
public final class Backends {
    @Produces
    @Singleton
    Receiver receiver(GatewaySettings settings, @Any Instance<Receiver> candidates) {
        return select(settings, candidates, "commits");
    }

    @Produces
    @Singleton
    PayloadReceiver payloadReceiver(GatewaySettings settings, @Any Instance<PayloadReceiver> candidates) {
        return select(settings, candidates, "payloads");
    }

    private static <T> T select(GatewaySettings settings, Instance<T> candidates, String what) {
        String backend = settings.user().receiverBackend();
        Instance<T> chosen = candidates.select(new Backend.Literal(backend));
        if (!chosen.isResolvable()) {
            throw new IllegalStateException("receiver backend '" + backend + "' cannot handle " + what
                    + " in this build; choose another \"receiver_backend\" in user.json");
        }
        return chosen.get();
    }
}
