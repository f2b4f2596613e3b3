package org.cvmfs.suite.protocol.http;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One HTTP/1.1 request of the publisher's clients (gateway API, Stratum 0) and of the Conveyor
 * client, over the JDK's {@link HttpURLConnection}. Not {@code java.net.http}: a command makes a handful of requests,
 * and that client's first one runs some 400 classes' worth of cold code (executors,
 * completable futures, flows), 86-117 ms of a short command against 27-42 ms for this one
 * (issue 11, measured in the tools' own JVM set-up); TLS is set up on the first {@code https}
 * request only, as with {@link HttpClients}. Connections are kept alive by the JDK.
 *
 * <p>A body is always sent with a {@code Content-Length} (fixed-length streaming): never chunked,
 * which upstream's gateway cannot take, and never sent again by the JDK after a failure, so a
 * POST reaches the server at most once. {@code Accept: *}{@code /*} unless set, as libcurl sends.
 * The reply is read whatever its status: a success's body up to {@link #maxBody}, an error's
 * first {@value #ERROR_BODY} bytes.
 */
public final class HttpCall {
    /** Bytes of a request body written to the connection at once. */
    static final int WRITE_BLOCK = 256 * 1024;
    /** Redirects followed at most by {@link #followRedirects()}. */
    static final int MAX_REDIRECTS = 5;
    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    /** What is kept of an error reply's body: enough for its message. */
    static final int ERROR_BODY = 64 * 1024;

    /** A status and the body that came with it (empty for HEAD). */
    public record Reply(int status, byte[] body) {
    }

    /** The body a request streams; opened once per request sent. */
    @FunctionalInterface
    public interface BodySource {
        InputStream open() throws IOException;
    }

    /** A reply body over the bound of {@link #maxBody}; nothing of it is returned. */
    public static final class BodyTooLargeException extends IOException {
        BodyTooLargeException(String message) {
            super(message);
        }
    }

    private final String method;
    private final URI uri;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private Duration timeout = Duration.ofSeconds(30);
    private Duration connectTimeout;
    private BodySource body;
    private long bodyLength;
    private boolean expectContinue;
    private boolean followRedirects;
    private long maxBody = Integer.MAX_VALUE - 8;

    private HttpCall(String method, URI uri) {
        this.method = method;
        this.uri = uri;
        headers.put("Accept", "*/*");
    }

    /** A request with {@code method} (GET, HEAD, POST, DELETE, ...) to an {@code http} or {@code https} URI. */
    public static HttpCall of(String method, URI uri) {
        return new HttpCall(method, uri);
    }

    public HttpCall header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    /**
     * How long to wait for the reply (and for each read of it), {@link Duration#ZERO} for as long
     * as it takes; connecting waits at most 30 s of it unless {@link #connectTimeout} says otherwise.
     */
    public HttpCall timeout(Duration timeout) {
        this.timeout = timeout;
        return this;
    }

    /** How long to wait for the connection. */
    public HttpCall connectTimeout(Duration connectTimeout) {
        this.connectTimeout = connectTimeout;
        return this;
    }

    public HttpCall body(byte[] bytes) {
        return body(bytes.length, () -> new ByteArrayInputStream(bytes));
    }

    /** A body of exactly {@code length} bytes, read from {@code source} while it is sent. */
    public HttpCall body(long length, BodySource source) {
        this.bodyLength = length;
        this.body = source;
        return this;
    }

    /** Asks for {@code 100 Continue} before the body is sent (libcurl does above 1 MiB). */
    public HttpCall expectContinue(boolean expect) {
        this.expectContinue = expect;
        return this;
    }

    /** For GET and HEAD: follows up to {@value #MAX_REDIRECTS} redirects, never from {@code https} to {@code http}. */
    public HttpCall followRedirects() {
        this.followRedirects = true;
        return this;
    }

    /** Refuses a reply body longer than {@code bytes}. */
    public HttpCall maxBody(long bytes) {
        this.maxBody = bytes;
        return this;
    }

    /** {@code METHOD URI}, for messages. */
    public String describe() {
        return method + " " + uri;
    }

    /** Sends the request; transport failures and over-long bodies raise, any status is a reply. */
    public Reply send() throws IOException {
        URI target = uri;
        for (int redirects = 0; ; redirects++) {
            HttpURLConnection c = open(target);
            int status = c.getResponseCode();
            String location = c.getHeaderField("Location");
            if (followRedirects && REDIRECTS.contains(status) && location != null && redirects < MAX_REDIRECTS) {
                URI next = target.resolve(location);
                if ("https".equalsIgnoreCase(target.getScheme()) && !"https".equalsIgnoreCase(next.getScheme())) {
                    throw new IOException("refused redirect from " + target + " to " + next);
                }
                discard(c, status);
                target = next;
                continue;
            }
            if (status >= 400) {
                try (InputStream in = c.getErrorStream()) {
                    return new Reply(status, in == null ? new byte[0] : in.readNBytes(ERROR_BODY));
                }
            }
            try (InputStream in = c.getInputStream()) {
                // a HEAD reply announces the length of a body it does not send
                return new Reply(status, method.equals("HEAD") ? new byte[0] : read(in, c.getContentLengthLong()));
            }
        }
    }

    private HttpURLConnection open(URI target) throws IOException {
        HttpURLConnection c = (HttpURLConnection) target.toURL().openConnection();
        c.setRequestMethod(method);
        c.setInstanceFollowRedirects(false);
        c.setConnectTimeout(millis(connectTimeout != null ? connectTimeout
                : timeout.isZero() || timeout.compareTo(MAX_CONNECT_TIMEOUT) > 0 ? MAX_CONNECT_TIMEOUT : timeout));
        c.setReadTimeout(timeout.isZero() ? 0 : millis(timeout));
        headers.forEach(c::setRequestProperty);
        if (body != null) {
            c.setDoOutput(true);
            c.setFixedLengthStreamingMode(bodyLength);
            if (expectContinue) {
                c.setRequestProperty("Expect", "100-continue");
            }
            try (OutputStream out = c.getOutputStream(); InputStream in = body.open()) {
                copy(in, out, bodyLength);
            }
        }
        return c;
    }

    /**
     * Sends the body in writes of up to {@value #WRITE_BLOCK} bytes. The JDK's connection
     * buffers 8 KiB and passes a larger write straight to the socket, so {@code transferTo}'s
     * 8 KiB pieces were one segment, and one wake-up of the gateway's event loop and request
     * thread, each: about 20,000 of each for a 134 MB pack, most of the gateway's CPU for a
     * big file (issue 11).
     */
    static void copy(InputStream in, OutputStream out, long length) throws IOException {
        byte[] block = new byte[(int) Math.max(1, Math.min(WRITE_BLOCK, length))];
        int filled = 0;
        int n;
        while ((n = in.read(block, filled, block.length - filled)) >= 0) {
            filled += n;
            if (filled == block.length) {
                out.write(block, 0, filled);
                filled = 0;
            }
        }
        if (filled > 0) {
            out.write(block, 0, filled);
        }
    }

    private byte[] read(InputStream in, long declared) throws IOException {
        if (declared > maxBody) {
            throw new BodyTooLargeException("announces " + declared + " bytes, more than the " + maxBody + " allowed");
        }
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBody + 1));
        if (bytes.length > maxBody) {
            throw new BodyTooLargeException("sent more than the " + maxBody + " bytes allowed");
        }
        return bytes;
    }

    /** Reads a redirect's (short) body, so that its connection can be kept alive; a long one is cut off. */
    private static void discard(HttpURLConnection c, int status) throws IOException {
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            if (in != null) {
                in.readNBytes(ERROR_BODY);
            }
        }
    }

    private static int millis(Duration d) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
    }
}
