package org.cvmfs.suite.gateway.config;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.cvmfs.suite.gateway.testing.GatewayTestResource;
import org.cvmfs.suite.protocol.testing.Await;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * Idle and slow connections do not pile up: with the gateway flags {@code idle_timeout=2} and
 * {@code max_connections=3} (mapped by {@link GatewayConfigSourceFactory}), a connection that
 * sends nothing is closed by the gateway, and connections beyond the bound are closed at once
 * while kept-alive clients hold theirs; once they leave, requests are served again.
 */
@QuarkusTest
@QuarkusTestResource(GatewayTestResource.class)
@TestProfile(ConnectionLimitsTest.Limits.class)
class ConnectionLimitsTest {
    public static final class Limits implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("gateway.idle_timeout", "2", "gateway.max_connections", "3");
        }
    }

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private Socket connect() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
        s.setSoTimeout(120_000); // a safety net only: the gateway closes long before
        return s;
    }

    /** Reads until the gateway closes the connection; true if it did (end of stream or reset). */
    private static boolean closedByGateway(Socket s) {
        try (InputStream in = s.getInputStream()) {
            while (in.read() >= 0) {
                // an error page before the close is fine
            }
            return true;
        } catch (SocketException reset) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void aConnectionThatSendsNothingIsClosed() throws IOException {
        try (Socket silent = connect()) {
            assertTrue(closedByGateway(silent));
        }
    }

    /** Sends one request and reads the first byte of the answer: -1 if the gateway closed instead. */
    private static int firstByteOfAnswer(Socket s) throws IOException {
        s.getOutputStream().write("GET /api/v1 HTTP/1.1\r\nHost: gw\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        try {
            return s.getInputStream().read();
        } catch (SocketException reset) {
            return -1;
        }
    }

    @Test
    void connectionsBeyondTheBoundAreClosed() throws Exception {
        List<Socket> open = new ArrayList<>();
        int served = 0;
        int refused = 0;
        try {
            // kept-alive clients, far above the bound of 3 even where Quarkus counts it per I/O thread
            for (int i = 0; i < 32; i++) {
                Socket s = connect();
                open.add(s);
                if (firstByteOfAnswer(s) < 0) {
                    refused++;
                } else {
                    served++;
                }
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
        assertTrue(refused > 0, "all 32 connections were served");
        assertTrue(served >= 3, "only " + served + " connections were served");
        // the gateway counts the closed connections down asynchronously
        Await.until(() -> {
            try {
                return given().get("/api/v1").statusCode() == 200;
            } catch (RuntimeException stillFull) {
                return false;
            }
        }, Duration.ofSeconds(10), () -> "the gateway serves again once the connections closed");
    }
}
