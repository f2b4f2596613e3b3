package org.cvmfs.suite.protocol.http;

import java.net.http.HttpClient;
import javax.net.ssl.SSLParameters;

/**
 * The one way the suite builds a {@code java.net.http} client. A client the JDK builds sets up
 * TLS at once (the default {@code SSLContext}: the trust store read and parsed, the cipher suites
 * probed), which was a third of a short command's CPU time (issue 11: about 150 ms of a
 * {@code cvmfs_server abort}, on C1) although gateways and Stratum 0s are mostly reached over
 * plain HTTP. These clients set TLS up only when an {@code https} URL is first asked for
 * ({@link DeferredTlsContext}); what they do over TLS is the JDK default's.
 */
public final class HttpClients {
    private HttpClients() {
    }

    /** A builder like {@link HttpClient#newBuilder()}, whose client sets up TLS on its first https request. */
    public static HttpClient.Builder newBuilder() {
        return newBuilder(DeferredTlsContext.ofDefault());
    }

    static HttpClient.Builder newBuilder(DeferredTlsContext tls) {
        // without parameters of its own the client would ask the context for its defaults at once;
        // empty ones leave the engine's defaults, which are the default context's
        return HttpClient.newBuilder().sslContext(tls).sslParameters(new SSLParameters());
    }
}
