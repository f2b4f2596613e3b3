package org.cvmfs.suite.gateway.api;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import org.cvmfs.suite.protocol.gateway.GatewayJson;

/** How replies are written: JSON in one piece, or Go's {@code http.Error} plain text. */
final class Replies {
    /** Signed bodies (acquire, admin) are small; refuse more than this without buffering it. */
    static final int MAX_SIGNED_BODY = 64 * 1024;

    private Replies() {
    }

    static Response json(Object body) {
        return Response.ok(GatewayJson.write(body), MediaType.APPLICATION_JSON_TYPE).build();
    }

    static Response text(int status, String message) {
        return Response.status(status)
                .entity((message + "\n").getBytes(StandardCharsets.UTF_8))
                .type("text/plain; charset=utf-8")
                .header("X-Content-Type-Options", "nosniff")
                .build();
    }

    /** Reads a whole small body (to EOF, so chunked uploads work too), refusing oversized ones. */
    static byte[] readSmallBody(InputStream in) {
        try {
            byte[] body = in.readNBytes(MAX_SIGNED_BODY + 1);
            if (body.length > MAX_SIGNED_BODY) {
                throw new PlainTextException(413, "request body larger than " + MAX_SIGNED_BODY + " bytes");
            }
            return body;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the request body", e);
        }
    }
}
