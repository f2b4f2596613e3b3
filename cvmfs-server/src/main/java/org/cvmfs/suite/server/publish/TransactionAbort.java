package org.cvmfs.suite.server.publish;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import org.cvmfs.suite.protocol.gateway.GatewayException;
import org.cvmfs.suite.protocol.gateway.GatewayReply;

/**
 * {@code cvmfs_server abort [-f]}: unmounts the working tree, drops the lease and forgets the
 * transaction. Without {@code -f} the gateway must agree to drop the lease; with it, a damaged
 * spool state or an unreachable gateway does not keep the publisher from starting afresh (the
 * token then comes from upstream's {@code session_token} file, and the lease expires on its own).
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
        String token;
        try {
            token = spool.load().map(TransactionState::sessionToken).orElseGet(this::tokenFile);
        } catch (IllegalStateException damaged) {
            if (!force) {
                throw new PublisherException(PublisherException.FAILED, damaged.getMessage(), damaged);
            }
            token = tokenFile();
        }
        if (token == null) {
            throw new PublisherException(PublisherException.FAILED, "repository " + context.settings().repository()
                    + " is not in a transaction");
        }
        try {
            GatewayReply reply = context.gateway().drop(token);
            if (!reply.isOk() && !force) {
                throw new PublisherException(PublisherException.FAILED,
                        "gateway doesn't recognize the lease or cannot drop it (" + reply.status()
                                + (reply.reason() == null ? "" : ": " + reply.reason()) + "); abort -f discards it anyway");
            }
        } catch (GatewayException e) {
            if (!force) {
                throw new PublisherException(PublisherException.FAILED, "cannot drop the lease: " + e.getMessage(), e);
            }
        }
        spool.clear();
    }

    private String tokenFile() {
        try {
            return new String(Files.readAllBytes(context.spool().sessionTokenFile()), StandardCharsets.US_ASCII).strip();
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + context.spool().sessionTokenFile(), e);
        }
    }
}
