package org.cvmfs.suite.protocol.gateway;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import org.cvmfs.suite.protocol.http.HttpClients;
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

    private final String apiUrl;
    private final GatewayKey key;
    private final HttpClient http;
    private final Duration timeout;
    private final String userAgent;
    /** Set: lease requests carry a signed time stamp and nonce. */
    private Clock replayClock;

    /**
     * @param apiUrl  the API prefix, used verbatim as upstream does, e.g. {@code http://gw:4929/api/v1}
     * @param timeout for each whole request, including a commit
     */
    /**
     * This client, sending a signed time stamp and nonce with every lease request: our gateway
     * then refuses a replay of a recorded request (upstream's gateway ignores both fields).
     */
    public GatewayClient replayProtected(Clock clock) {
        GatewayClient c = new GatewayClient(URI.create(apiUrl), key, timeout, userAgent);
        c.replayClock = clock;
        return c;
    }

    public GatewayClient(URI apiUrl, GatewayKey key, Duration timeout, String userAgent) {
        String url = apiUrl.toString();
        this.apiUrl = url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
        this.key = key;
        this.timeout = timeout;
        this.userAgent = userAgent;
        this.http = HttpClients.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    /** {@code POST <api>/leases}; replies ok (with session_token), path_busy or error. */
    public GatewayReply acquire(LeasePath path, String hostname) {
        byte[] body = (replayClock == null ? LeaseRequest.of(path, hostname)
                : LeaseRequest.replayProtected(path, hostname, replayClock.instant())).toWireBytes();
        return send(request("/leases", GatewayAuth.sign(key, body))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** {@code POST <api>/leases/<token>}; the MAC covers the token only. */
    public GatewayReply commit(String token, CommitRequest request) {
        byte[] body = request.toWireBytes();
        return send(request("/leases/" + token, GatewayAuth.sign(key, token))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)));
    }

    /** {@code DELETE <api>/leases/<token>}, with an empty body as the C++ client sends. */
    public GatewayReply drop(String token) {
        return send(request("/leases/" + token, GatewayAuth.sign(key, token))
                .method("DELETE", HttpRequest.BodyPublishers.noBody()));
    }

    /**
     * Uploads one pack in the legacy form: {@code Message-Size} bytes of JSON message (signed),
     * then the pack header and payload, streamed from the pack's sources.
     */
    public GatewayReply submitPayload(String token, ObjectPackWriter pack) {
        byte[] header = pack.header().toBytes();
        byte[] message = PayloadMessage.of(token, PackHeader.digestOf(header), header.length).toWireBytes();
        long length = message.length + (long) header.length + pack.payloadSize();
        HttpRequest.BodyPublisher body = HttpRequest.BodyPublishers.fromPublisher(
                HttpRequest.BodyPublishers.ofInputStream(() -> concat(message, header, pack)), length);
        HttpRequest.Builder request = request("/payloads", GatewayAuth.sign(key, message))
                .header("Message-Size", Integer.toString(message.length))
                .expectContinue(length > EXPECT_CONTINUE_ABOVE)
                .POST(body);
        return send(request);
    }

    private static InputStream concat(byte[] message, byte[] header, ObjectPackWriter pack) {
        return new SequenceInputStream(Collections.enumeration(List.of(
                new ByteArrayInputStream(message), new ByteArrayInputStream(header), pack.openPayload())));
    }

    private HttpRequest.Builder request(String route, String authorization) {
        return HttpRequest.newBuilder(URI.create(apiUrl + route))
                .timeout(timeout)
                .header("User-Agent", userAgent)
                .header("Accept", "*/*")
                .header(GatewayAuth.HEADER, authorization)
                .header("Content-Type", FORM_TYPE);
    }

    private GatewayReply send(HttpRequest.Builder builder) {
        HttpRequest request = builder.build();
        HttpResponse<byte[]> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new GatewayException(request.method() + " " + request.uri() + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new GatewayException(request.method() + " " + request.uri() + " interrupted", e);
        }
        String text = new String(response.body(), StandardCharsets.UTF_8);
        if (response.statusCode() != 200) {
            throw new GatewayException(request.method() + " " + request.uri() + " answered HTTP "
                    + response.statusCode() + ": " + text.strip());
        }
        try {
            return GatewayReply.parse(response.body());
        } catch (MalformedMessageException e) {
            throw new GatewayException(request.method() + " " + request.uri() + " gave an unreadable reply: "
                    + e.getMessage(), e);
        }
    }
}
