package org.cvmfs.suite.server.publish;

import java.util.Optional;
import org.cvmfs.suite.protocol.gateway.GatewayException;
import org.cvmfs.suite.protocol.gateway.GatewayReply;

/**
 * {@code cvmfs_server abort [-f]}: unmounts the working tree, drops the lease, then empties an
 * overlay's upper layer (all it changed; its lower tree stays for the next transaction) and
 * forgets the transaction. Without {@code -f} the gateway must agree to drop the lease; with it, a damaged
 * spool state or an unreachable gateway does not keep the publisher from starting afresh (the
 * token then comes from upstream's {@code session_token} file, and the lease expires on its own).
 *
 * <p>Invariant (steps named by {@link AbortStep}, then {@link SpoolStep}'s of forgetting): the
 * transaction's state is removed last, so a killed abort leaves a host still in its transaction.
 * Killed before the lease is dropped, the next {@code abort} finishes; killed after, the gateway no
 * longer knows the lease and a plain {@code abort} refuses as for any lease it does not know,
 * keeping what is left, and {@code abort -f} finishes. {@code SpoolStateCrashTest} kills an
 * {@code abort} at each boundary.
 */
public final class TransactionAbort {
    private final PublisherContext context;

    public TransactionAbort(PublisherContext context) {
        this.context = context;
    }

    public void abort(boolean force) {
        PublisherSpool spool = context.spool();
        try {
            spool.load().ifPresent(s -> context.mount().ifPresent(m -> m.unmount(s.leasePath())));
        } catch (IllegalStateException damaged) {
            // the state is unreadable; abort -f goes on below
        }
        AbortStep.UNMOUNTED.reached();
        String token;
        boolean tokenAlone = false;
        try {
            Optional<TransactionState> state = spool.load();
            tokenAlone = state.isEmpty();
            token = state.map(TransactionState::sessionToken).orElseGet(() -> spool.loadToken().orElse(null));
        } catch (IllegalStateException damaged) {
            if (!force) {
                throw new PublisherException(PublisherException.FAILED, damaged.getMessage(), damaged);
            }
            token = spool.loadToken().orElse(null);
        }
        if (token == null) {
            throw new PublisherException(PublisherException.FAILED, "repository " + context.settings().repository()
                    + " is not in a transaction");
        }
        try {
            GatewayReply reply = context.gateway().drop(token);
            if (!reply.isOk() && tokenAlone) {
                // no state records it: a lease an interrupted command already committed or dropped
                context.warn("the lease of an interrupted command is gone already; forgetting it");
            } else if (!reply.isOk() && !force) {
                throw new PublisherException(PublisherException.FAILED,
                        "gateway doesn't recognize the lease or cannot drop it (" + reply.status()
                                + (reply.reason() == null ? "" : ": " + reply.reason()) + "); abort -f discards it anyway");
            }
        } catch (GatewayException e) {
            if (!force) {
                throw new PublisherException(PublisherException.FAILED, "cannot drop the lease: " + e.getMessage(), e);
            }
        }
        AbortStep.LEASE_DROPPED.reached();
        // only now that the lease is gone do an overlay's changes go with it (a refused abort
        // keeps them for a publish or an abort -f); its lower tree stays, still the base
        spool.clearOverlayLayers();
        AbortStep.LAYERS_CLEARED.reached();
        spool.clear();
    }
}
