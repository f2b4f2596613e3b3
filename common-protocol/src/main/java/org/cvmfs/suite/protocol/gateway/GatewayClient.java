package org.cvmfs.suite.protocol.gateway;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.cvmfs.suite.protocol.http.HttpCall;
import org.cvmfs.suite.protocol.pack.ObjectPackWriter;
import org.cvmfs.suite.protocol.pack.PackHeader;

/**
 * A publisher's side of the gateway API, sending what upstream's C++ publisher sends: the same
 * bodies (spacing included, since the acquire and payload MACs cover them), the legacy payload
 * form with {@code Message-Size}, a {@code Content-Length} on every request (upstream's server
 * cannot take chunked bodies) and {@code Expect: 100-continue} on large uploads.
 *
 * <p>Replies are returned whatever their {@code status}; only transport failures, non-200
 * answers and bodies without a status raise {@link GatewayException}.
 */
public final class GatewayClient {
    /** libcurl asks for {@code 100 Continue} above this body size; so do we. */
    private static final long EXPECT_CONTINUE_ABOVE = 1024 * 1024;
    private static final String FORM_TYPE = "application/x-www-form-urlencoded";
    /** A gateway's replies are a few hundred bytes of JSON; a longer one is not read. */
    private static final long MAX_REPLY = 1024 * 1024;

    private final String apiUrl;
    private final GatewayKey key;
    private final Duration timeout;
    private final String userAgent;
    /** Set: lease requests carry a signed time stamp and nonce. */
    private Clock replayClock;

    /**
     * This client, sending a signed time stamp and nonce with every lease request: our gateway
     * then refuses a replay of a recorded request (upstream's gateway ignores both fields).
     */
    public GatewayClient replayProtected(Clock clock) {
        GatewayClient c = new GatewayClient(URI.create(apiUrl), key, timeout, userAgent);
        c.replayClock = clock;
        return c;
    }

    /**
     * @param apiUrl  the API prefix, used verbatim as upstream does, e.g. {@code http://gw:4929/api/v1}
     * @param timeout how long to wait for a reply, a commit's included (and for each read of it)
     */
    public GatewayClient(URI apiUrl, GatewayKey key, Duration timeout, String userAgent) {
        String url = apiUrl.toString();
        this.apiUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.key = key;
        this.timeout = timeout;
        this.userAgent = userAgent;
    }

    /** {@code POST <api>/leases}; replies ok (with session_token), path_busy or error. */
    public GatewayReply acquire(LeasePath path, String hostname) {
        byte[] body = (replayClock == null ? LeaseRequest.of(path, hostname)
                : LeaseRequest.replayProtected(path, hostname, replayClock.instant())).toWireBytes();
        return send(request("POST", "/leases", GatewayAuth.sign(key, body)).body(body));
    }

    /** {@code POST <api>/leases/<token>}; the MAC covers the token only. */
    public GatewayReply commit(String token, CommitRequest request) {
        return send(request("POST", "/leases/" + token, GatewayAuth.sign(key, token)).body(request.toWireBytes()));
    }

    /** {@code DELETE <api>/leases/<token>}, with an empty body ({@code Content-Length: 0}) as the C++ client sends. */
    public GatewayReply drop(String token) {
        return send(request("DELETE", "/leases/" + token, GatewayAuth.sign(key, token)).body(new byte[0]));
    }

    /**
     * Uploads one pack in the legacy form: {@code Message-Size} bytes of JSON message (signed),
     * then the pack header and payload, streamed from the pack's sources.
     */
    public GatewayReply submitPayload(String token, ObjectPackWriter pack) {
        byte[] header = pack.header().toBytes();
        byte[] message = PayloadMessage.of(token, PackHeader.digestOf(header), header.length).toWireBytes();
        long length = message.length + (long) header.length + pack.payloadSize();
        return send(request("POST", "/payloads", GatewayAuth.sign(key, message))
                .header("Message-Size", Integer.toString(message.length))
                .expectContinue(length > EXPECT_CONTINUE_ABOVE)
                .body(length, () -> concat(message, header, pack)));
    }

    private static InputStream concat(byte[] message, byte[] header, ObjectPackWriter pack) {
        return new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(message), new ByteArrayInputStream(header), pack.openPayload())));
    }

    private HttpCall request(String method, String route, String authorization) {
        return HttpCall.of(method, URI.create(apiUrl + route))
                .timeout(timeout)
                .header("User-Agent", userAgent)
                .header(GatewayAuth.HEADER, authorization)
                .header("Content-Type", FORM_TYPE)
                .maxBody(MAX_REPLY);
    }

    private GatewayReply send(HttpCall call) {
        HttpCall.Reply response;
        try {
            response = call.send();
        } catch (IOException e) {
            throw new GatewayException(call.describe() + " failed: " + e.getMessage(), e);
        }
        if (response.status() != 200) {
            throw new GatewayException(call.describe() + " answered HTTP " + response.status() + ": "
                    + new String(response.body(), StandardCharsets.UTF_8).strip());
        }
        try {
            return GatewayReply.parse(response.body());
        } catch (MalformedMessageException e) {
            throw new GatewayException(call.describe() + " gave an unreadable reply: " + e.getMessage(), e);
        }
    }
}
