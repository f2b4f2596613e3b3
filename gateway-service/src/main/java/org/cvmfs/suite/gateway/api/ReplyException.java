package org.cvmfs.suite.gateway.api;

import org.cvmfs.suite.protocol.gateway.GatewayReply;

/** Ends a request with a JSON status reply (HTTP 200, as upstream answers logical errors). */
final class ReplyException extends RuntimeException {
    private final transient GatewayReply reply;

    ReplyException(GatewayReply reply) {
        super(reply.reason(), null, false, false);
        this.reply = reply;
    }

    GatewayReply reply() {
        return reply;
    }
}
