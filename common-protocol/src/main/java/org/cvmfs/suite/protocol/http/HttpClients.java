package org.cvmfs.suite.protocol.http;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import javax.net.ssl.SSLParameters;

/**
 * The one way the suite builds a {@code java.net.http} client. A client the JDK builds sets up
 * TLS at once (the default {@code SSLContext}: the trust store read and parsed, the cipher suites
 * probed), which was a third of a short command's CPU time (issue 11: about 150 ms of a
 * {@code cvmfs_server abort}, on C1) although gateways and Stratum 0s are mostly reached over
 * plain HTTP. These clients set TLS up only when an {@code https} URL is first asked for
 * ({@link DeferredTlsContext}); what they do over TLS is the JDK default's.
 *
 * <p>A command-line tool calls {@link #releaseBeforeExit} just before it exits: see there.
 */
public final class HttpClients {
    /** How JDK 17 to 25 name a client's selector thread. */
    private static final Pattern SELECTOR_THREAD = Pattern.compile("HttpClient-\\d+-SelectorManager");
    /** Bound on waiting for one selector thread to end; it ends within microseconds of its interrupt. */
    private static final long SELECTOR_JOIN_MS = 200;

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

    /**
     * Ends the selector threads of this JVM's clients, which are unusable afterwards. Each
     * client keeps one waiting in {@code epoll_wait}, that is in native code, and the JVM's exit
     * waits up to 300 ms for threads in native code to come back (HotSpot's
     * {@code VM_Exit::wait_for_threads_in_native_to_block}): a third of a second added to every
     * {@code cvmfs_server} command that talked to a gateway (issue 11). JDK 17's client has no
     * {@code close()} (it came in 21); an interrupted selector thread closes its client and
     * ends, as {@code close()} would.
     */
    public static void releaseBeforeExit() {
        List<Thread> selectors = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (SELECTOR_THREAD.matcher(t.getName()).matches()) {
                t.interrupt();
                selectors.add(t);
            }
        }
        try {
            for (Thread t : selectors) {
                t.join(SELECTOR_JOIN_MS);
            }
        } catch (InterruptedException exiting) {
            Thread.currentThread().interrupt();
        }
    }
}
