package org.cvmfs.suite.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * The header-read deadline ({@code startup.HeaderReadDeadline}), shrunk to 2 s while the idle
 * timeout stays at its 600 s: a client that sends its request head one byte every half second is
 * closed, on a new connection and on a kept-alive one after a first request; a client that sends
 * whole heads is served, also after waiting longer than the deadline between two requests.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
@TestProfile(HeaderReadDeadlineTest.ShortDeadline.class)
class HeaderReadDeadlineTest {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)\r\ncontent-length: *(\\d+)");
    private static final byte[] REQUEST = "GET /api/v1 HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    public static final class ShortDeadline implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("cvmfs.gateway.header-timeout", "2s");
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(60_000); // far below the idle timeout: only the deadline closes within it
        return s;
    }

    @Test
    void aHeadTrickledByteByByteIsClosed() throws Exception {
        try (Socket slow = connect()) {
            Thread trickle = trickle(slow);
            assertTrue(closedByGateway(slow), "the slow head's connection is still open");
            trickle.join();
        }
    }

    @Test
    void aSlowSecondHeadOnAKeptAliveConnectionIsClosed() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(REQUEST);
            assertEquals(200, readResponse(s.getInputStream()));
            Thread trickle = trickle(s);
            assertTrue(closedByGateway(s), "the slow second head's connection is still open");
            trickle.join();
        }
    }

    @Test
    void wholeHeadsAreServedAlsoAfterAPauseLongerThanTheDeadline() throws Exception {
        try (Socket s = connect()) {
            s.getOutputStream().write(REQUEST);
            assertEquals(200, readResponse(s.getInputStream()));
            Thread.sleep(3_000); // between requests: the idle timeout's business, not the deadline's
            s.getOutputStream().write(REQUEST);
            assertEquals(200, readResponse(s.getInputStream()));
        }
    }

    /** Sends an endless request head, one byte every 500 ms, until the connection breaks. */
    private static Thread trickle(Socket s) {
        Thread t = new Thread(() -> {
            byte[] head = "GET /api/v1 HTTP/1.1\r\nHost: gw\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII);
            try {
                OutputStream out = s.getOutputStream();
                for (int i = 0; i < 240; i++) {
                    out.write(i < head.length ? head[i] : 'a');
                    out.flush();
                    Thread.sleep(500);
                }
            } catch (IOException | InterruptedException closed) {
                // the gateway closed the connection
            }
        }, "trickle");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Reads until the gateway closes the connection; true if it did (end of stream or reset). */
    private static boolean closedByGateway(Socket s) {
        try {
            InputStream in = s.getInputStream();
            while (in.read() >= 0) {
                // an error page before the close is fine
            }
            return true;
        } catch (SocketException reset) {
            return true;
        } catch (IOException timedOut) {
            return false;
        }
    }

    /** One response: its status; the body (Content-Length) is consumed. */
    private static int readResponse(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed after " + head);
            }
            head.write(b);
        }
        String text = head.toString(StandardCharsets.US_ASCII);
        Matcher length = CONTENT_LENGTH.matcher(text);
        if (length.find()) {
            in.readNBytes(Integer.parseInt(length.group(1)));
        }
        return Integer.parseInt(text.substring(9, 12));
    }
}
