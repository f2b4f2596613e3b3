package org.cvmfs.suite.server.publish;

import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.cvmfs.suite.protocol.gateway.CommitRequest;
import org.cvmfs.suite.protocol.gateway.GatewayException;
import org.cvmfs.suite.protocol.gateway.GatewayReply;
import org.cvmfs.suite.protocol.hash.ContentHash;

/**
 * The last step of every publication: the commit request for a transaction recorded as
 * {@link TransactionState.Phase#COMMITTING}, with the tag name upstream would give it. A refusal
 * puts the transaction back to {@link TransactionState.Phase#OPEN} (publish may be tried again
 * after fixing the cause); a transport failure leaves it COMMITTING, because the gateway may have
 * committed anyway.
 */
final class GatewayCommit {
    private static final DateTimeFormatter AUTO_TAG = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'")
            .withZone(ZoneOffset.UTC);

    private final PublisherContext context;

    GatewayCommit(PublisherContext context) {
        this.context = context;
    }

    /** {@code -a TAG}, else {@code generic-<UTC time>} with {@code CVMFS_AUTO_TAG}, else none (empty). */
    String tagName(Optional<String> tag) {
        boolean auto = tag.isEmpty() && context.settings().autoTag();
        String name = tag.orElseGet(() -> auto ? "generic-" + AUTO_TAG.format(context.clock().instant()) : "");
        if (auto) {
            context.say("Using auto tag '" + name + "'");
        }
        return name;
    }

    /** Sends the commit; returns the new revision ({@code -1} if the gateway did not say). */
    long send(TransactionState committing, String tagName, String description) {
        ContentHash newRoot = committing.newRootCatalog().orElseThrow();
        GatewayReply reply;
        try {
            reply = context.gateway().commit(committing.sessionToken(),
                    CommitRequest.of(committing.baseRootCatalog(), newRoot, tagName, description));
        } catch (GatewayException e) {
            throw new PublisherException(PublisherException.FAILED, "Failed to commit transaction: " + e.getMessage()
                    + " (the gateway may have committed; publish again to find out and finish)", e);
        }
        if (!reply.isOk()) {
            context.spool().save(committing.withPhase(TransactionState.Phase.OPEN));
            throw new PublisherException(PublisherException.FAILED, "Failed to commit transaction: "
                    + reply.status() + (reply.reason() == null ? "" : " (" + reply.reason() + ")"));
        }
        context.say("Changes submitted to repository gateway");
        long revision = reply.finalRevision() == null ? -1 : reply.finalRevision();
        if (revision >= 0) {
            context.say("New revision: " + revision);
        }
        return revision;
    }
}
