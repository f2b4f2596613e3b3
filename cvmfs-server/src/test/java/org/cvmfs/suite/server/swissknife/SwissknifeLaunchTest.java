package org.cvmfs.suite.server.swissknife;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * The packaged entry point runs {@code cvmfs_swissknife notify}, as the launcher calls it: the
 * manifest of a repository reaches a stand-in notification server.
 */
@QuarkusMainTest
class SwissknifeLaunchTest {
    @Test
    void runsTheNotifyCommand(QuarkusMainLauncher launcher) throws Exception {
        BlockingQueue<byte[]> published = new LinkedBlockingQueue<>();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/publish", exchange -> {
            published.add(exchange.getRequestBody().readAllBytes());
            byte[] reply = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(reply);
            }
        });
        server.start();
        try {
            Path repository = Fixtures.gatewayPublication().resolve("after-b");
            LaunchResult result = launcher.launch("cvmfs_swissknife", "notify", "-p", "-u",
                    "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/publish", "-r", repository.toString());
            assertEquals(0, result.exitCode(), result.getOutput() + result.getErrorOutput());
            byte[] body = published.poll(10, TimeUnit.SECONDS);
            assertNotNull(body, "nothing was published");
            ActivityMessage sent = ActivityMessage.parse(body);
            assertEquals("capture.test", sent.repository());
            assertArrayEquals(Files.readAllBytes(repository.resolve(".cvmfspublished")), sent.manifest());
        } finally {
            server.stop(0);
        }
    }
}
