package org.cvmfs.suite.gateway.api;

import jakarta.inject.Inject;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import org.cvmfs.suite.gateway.payload.PayloadService;
import org.cvmfs.suite.protocol.gateway.MalformedMessageException;
import org.cvmfs.suite.protocol.gateway.PayloadMessage;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/**
 * Object pack uploads. The body is {@code Message-Size} bytes of JSON message, then the pack;
 * only the message is buffered, the pack streams through to the store.
 */
@Path("/api/v1/payloads")
@Tag(name = "payloads")
public class PayloadResource {
    /** The C++ client's message is under 200 bytes; a larger claim is refused unread. */
    static final int MAX_MESSAGE_SIZE = 64 * 1024;

    @Inject
    PayloadService payloads;
    @Inject
    Authenticator auth;

    @POST
    @Operation(summary = "Submit an object pack, legacy form (token in the JSON message, HMAC over the message)")
    public Response legacy(@HeaderParam("Message-Size") String messageSize,
                           @HeaderParam("Authorization") String authorization, InputStream body) {
        byte[] message = readMessage(messageSize, body);
        auth.requireKey(authorization, message);
        PayloadMessage m = parse(message);
        return Replies.json(payloads.submit(m.sessionToken(), m.payloadDigest(), headerSize(m), body));
    }

    @POST
    @Path("{token}")
    @Operation(summary = "Submit an object pack, token in the URL (HMAC over the token)")
    public Response withToken(@PathParam("token") String token, @HeaderParam("Message-Size") String messageSize,
                              @HeaderParam("Authorization") String authorization, InputStream body) {
        auth.requireKey(authorization, token);
        PayloadMessage m = parse(readMessage(messageSize, body));
        return Replies.json(payloads.submit(token, m.payloadDigest(), headerSize(m), body));
    }

    private static byte[] readMessage(String messageSize, InputStream body) {
        int size;
        try {
            size = Integer.parseInt(messageSize == null ? "" : messageSize.trim());
        } catch (NumberFormatException e) {
            throw new PlainTextException(400, "missing message-size header");
        }
        if (size < 0) {
            throw new PlainTextException(400, "missing message-size header");
        }
        if (size > MAX_MESSAGE_SIZE) {
            throw new PlainTextException(400, "message-size " + size + " exceeds " + MAX_MESSAGE_SIZE + " bytes");
        }
        try {
            byte[] message = body.readNBytes(size);
            if (message.length != size) {
                throw PlainTextException.invalidBody();
            }
            return message;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the payload message", e);
        }
    }

    private static PayloadMessage parse(byte[] message) {
        try {
            return PayloadMessage.parse(message);
        } catch (MalformedMessageException e) {
            throw PlainTextException.invalidBody();
        }
    }

    private static int headerSize(PayloadMessage m) {
        try {
            return m.headerSizeValue();
        } catch (MalformedMessageException e) {
            throw new PlainTextException(400, "invalid header_size");
        }
    }
}
