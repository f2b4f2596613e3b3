package org.cvmfs.suite.server.swissknife;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.notify.SseFraming;
import org.cvmfs.suite.protocol.notify.SubscriptionRequest;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.cvmfs.suite.protocol.testing.StaticHttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code cvmfs_swissknife notify} against a stand-in notification server and a served fixture repository. */
class NotifyCommandTest {
    private HttpServer server;
    private String root;
    private final BlockingQueue<byte[]> published = new LinkedBlockingQueue<>();
    private final BlockingQueue<byte[]> subscriptions = new LinkedBlockingQueue<>();
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private volatile int publishStatus = 200;
    private volatile List<byte[]> stream = List.of();

    @TempDir
    Path tmp;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/api/v1/publish", exchange -> {
            published.add(exchange.getRequestBody().readAllBytes());
            byte[] reply = (publishStatus == 200 ? "{\"status\":\"ok\"}" : "{\"status\":\"error\",\"reason\":\"older\"}")
                    .getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(publishStatus, reply.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(reply);
            }
        });
        server.createContext("/api/v1/subscribe", exchange -> {
            subscriptions.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream o = exchange.getResponseBody()) {
                for (byte[] event : stream) {
                    o.write(event);
                    o.flush();
                }
            }
        });
        server.start();
        root = "http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1";
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void publishesTheManifestOfAServedRepositoryAsTheTutorialDoes() throws Exception {
        Path fixtures = Fixtures.gatewayPublication();
        try (StaticHttpServer apache = StaticHttpServer.serve(fixtures)) {
            int code = run("notify", "-p", "-u", root + "/publish", "-r", apache.url("after-b/").toString());
            assertEquals(0, code, err.toString());
        }
        ActivityMessage sent = ActivityMessage.parse(published.poll(10, TimeUnit.SECONDS));
        assertEquals("capture.test", sent.repository(), "the name comes from the manifest's N line");
        assertArrayEquals(Files.readAllBytes(fixtures.resolve("after-b/.cvmfspublished")), sent.manifest());
    }

    @Test
    void publishesFromALocalDirectoryToAnApiRootAndTellsWhatItDidWhenVerbose() throws Exception {
        server.createContext("/api/v1/notifications/publish", exchange -> {
            published.add(exchange.getRequestBody().readAllBytes());
            byte[] reply = "{\"status\":\"ok\"}".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, reply.length);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(reply);
            }
        });
        assertEquals(0, run("notify", "-p", "-v", "-u", root, "-r", Fixtures.gatewayPublication().resolve("after-a").toString()));
        assertEquals("capture.test", ActivityMessage.parse(published.poll(10, TimeUnit.SECONDS)).repository());
        assertTrue(out.toString().contains("revision: 2"), out.toString());
        assertTrue(out.toString().contains("Published revision 2 of capture.test"), out.toString());
    }

    @Test
    void exitsWithUpstreamCodesOnEachFailure() throws Exception {
        assertEquals(1, run("notify", "-p", "-r", "/x"));
        assertTrue(err.toString().contains("parameter -u missing"));
        assertEquals(1, run("notify", "-p", "-s", "-u", root));
        assertEquals(1, run("notify", "-u", root));
        assertEquals(1, run("notify", "-p", "-u", root));
        assertTrue(err.toString().contains("parameter -r missing"));
        assertEquals(1, run("notify", "-s", "-u", root));
        assertTrue(err.toString().contains("parameter -t missing"));
        assertEquals(7, run("notify", "-p", "-u", root + "/publish", "-r", tmp.toString()));
        Files.writeString(tmp.resolve(".cvmfspublished"), "garbage\n");
        assertEquals(8, run("notify", "-p", "-u", root + "/publish", "-r", tmp.toString()));
        try (StaticHttpServer apache = StaticHttpServer.serve(tmp)) {
            assertEquals(6, run("notify", "-p", "-u", root + "/publish", "-r", apache.url("missing").toString()));
        }
        server.stop(0);
        assertEquals(9, run("notify", "-p", "-u", root + "/publish", "-r", Fixtures.gatewayPublication().resolve("after-a").toString()));
    }

    @Test
    void reportsARefusalInsteadOfPretendingSuccess() throws Exception {
        publishStatus = 409;
        assertEquals(10, run("notify", "-p", "-u", root + "/publish", "-r", Fixtures.gatewayPublication().resolve("after-a").toString()));
        assertTrue(err.toString().contains("HTTP 409"), err.toString());
    }

    @Test
    void subscribesAndReportsTheFirstRevisionAboveTheMinimum() throws Exception {
        stream = List.of(event(2), event(3), event(4));
        assertEquals(0, run("notify", "-s", "-u", root + "/subscribe", "-t", "capture.test"));
        assertEquals("SwissknifeSubscriber - repository capture.test is now at revision 2.\n", out.toString());
        assertArrayEquals(SubscriptionRequest.of("capture.test").toJson(), subscriptions.poll(10, TimeUnit.SECONDS));

        out.getBuffer().setLength(0);
        assertEquals(0, run("notify", "-s", "-u", root + "/subscribe", "-t", "capture.test", "-m", "3abc"));
        assertEquals("SwissknifeSubscriber - repository capture.test is now at revision 4.\n", out.toString());
    }

    @Test
    void continuousModeReportsOnlyIncreasesUntilTheServerEndsTheStream() throws Exception {
        stream = List.of(event(2), event(2), event(3), event(1), event(4));
        assertEquals(0, run("notify", "-s", "-c", "-u", root + "/subscribe", "-t", "capture.test"));
        assertEquals("SwissknifeSubscriber - repository capture.test is now at revision 2.\n"
                + "SwissknifeSubscriber - repository capture.test is now at revision 3.\n"
                + "SwissknifeSubscriber - repository capture.test is now at revision 4.\n", out.toString());
    }

    @Test
    void reconnectsAfterABadNotificationAndGivesUpAfterRepeatedFailures() throws Exception {
        AtomicInteger attempts = new AtomicInteger();
        server.removeContext("/api/v1/subscribe");
        server.createContext("/api/v1/subscribe", exchange -> {
            exchange.getRequestBody().readAllBytes();
            byte[] bad = SseFraming.frame(ActivityMessage.of("other.test", manifest("other.test", 5), ZonedDateTime.now()).toJson());
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream o = exchange.getResponseBody()) {
                o.write(attempts.incrementAndGet() <= 2 ? bad : event(7));
            }
        });
        assertEquals(0, run("notify", "-s", "-u", root + "/subscribe", "-t", "capture.test"));
        assertEquals(3, attempts.get());
        assertTrue(err.toString().contains("notification for repository other.test"), err.toString());
        assertTrue(out.toString().contains("revision 7."), out.toString());

        server.stop(0);
        assertEquals(1, run("notify", "-s", "-u", root + "/subscribe", "-t", "capture.test"));
        assertTrue(err.toString().contains("giving up"), err.toString());
    }

    @Test
    void parsesTheMinimumRevisionLikeAtoi() {
        assertEquals(0, NotifyCommand.atoi(null));
        assertEquals(0, NotifyCommand.atoi("abc"));
        assertEquals(12, NotifyCommand.atoi(" 12abc"));
        assertEquals(-3, NotifyCommand.atoi("-3"));
    }

    private int run(String... args) {
        CommandLine cli = new CommandLine(new SwissknifeCommand());
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        NotifyCommand notify = cli.getSubcommands().get("notify").getCommand();
        notify.retryDelay = Duration.ofMillis(1);
        return cli.execute(args);
    }

    private static byte[] event(long revision) {
        return SseFraming.frame(ActivityMessage.of("capture.test", manifest("capture.test", revision), ZonedDateTime.now()).toJson());
    }

    private static byte[] manifest(String repository, long revision) {
        return ("C0123456789abcdef0123456789abcdef01234567\nRd41d8cd98f00b204e9800998ecf8427e\nD240\nS" + revision
                + "\nN" + repository + "\n--\n0123456789abcdef0123456789abcdef01234567\nsig").getBytes(StandardCharsets.US_ASCII);
    }
}
