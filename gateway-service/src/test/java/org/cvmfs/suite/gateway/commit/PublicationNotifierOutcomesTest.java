package org.cvmfs.suite.gateway.commit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.sun.net.httpserver.HttpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.gateway.config.GatewaySettings;
import org.cvmfs.suite.gateway.testing.NotifyCapture;
import org.cvmfs.suite.gateway.testing.TestHost;
import org.cvmfs.suite.protocol.config.HostPaths;
import org.cvmfs.suite.protocol.manifest.ManifestVerifier;
import org.cvmfs.suite.protocol.notify.ActivityMessage;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.protocol.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The notifier's outcomes without Quarkus (so mutation testing can run it per mutant): what it
 * sends for a repository, and how each answer of the notification service is counted, while
 * {@code published} itself always returns at once.
 */
class PublicationNotifierOutcomesTest {
    TestHost host;
    HttpServer service;
    volatile int status = 200;
    final BlockingQueue<byte[]> received = new LinkedBlockingQueue<>();
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    @BeforeEach
    void start() throws Exception {
        host = TestHost.create();
        service = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        service.createContext(NotifyCapture.PUBLISH_PATH, exchange -> {
            received.add(exchange.getRequestBody().readAllBytes());
            byte[] reply = "{\"status\":\"ok\"}".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(status, reply.length);
            exchange.getResponseBody().write(reply);
            exchange.close();
        });
        service.start();
    }

    @AfterEach
    void stop() {
        service.stop(0);
        host.delete();
    }

    PublicationNotifier notifier(Map<String, String> flags) {
        System.setProperty(HostPaths.PREFIX_PROPERTY, host.prefix().toString());
        try {
            return new PublicationNotifier(GatewaySettings.load(HostPaths.fromEnvironment(),
                    Optional.of(host.userConfig().toString()), flags), metrics);
        } finally {
            System.clearProperty(HostPaths.PREFIX_PROPERTY);
        }
    }

    PublicationNotifier notifyingOn(int port) {
        return notifier(Map.of("notify_url", "http://127.0.0.1:" + port + "/api/v1"));
    }

    double counted(String outcome) {
        return metrics.counter("cvmfs_gateway_notifications", "outcome", outcome).count();
    }

    @Test
    void anAcceptedAnnouncementCarriesTheServedManifestAndCountsAsSent() throws Exception {
        PublicationNotifier notifier = notifyingOn(service.getAddress().getPort());
        try {
            notifier.published(TestHost.REPO);
            ActivityMessage sent = ActivityMessage.parse(received.poll(60, TimeUnit.SECONDS));
            assertEquals(TestHost.REPO, sent.repository());
            assertArrayEquals(Files.readAllBytes(host.storage(TestHost.REPO).resolve(ManifestVerifier.MANIFEST_FILE)),
                    sent.manifest());
            Await.until(() -> counted("sent") == 1.0, () -> "the accepted announcement is counted as sent");
            assertEquals(0.0, counted("refused"));
            assertEquals(0.0, counted("failed"));
        } finally {
            notifier.stop();
        }
    }

    @Test
    void aRefusalCountsAsRefused() throws Exception {
        status = 500;
        PublicationNotifier notifier = notifyingOn(service.getAddress().getPort());
        try {
            notifier.published(TestHost.REPO);
            Await.until(() -> counted("refused") == 1.0, () -> "the refusal is counted");
            assertEquals(0.0, counted("sent"));
            assertEquals(0.0, counted("failed"));
        } finally {
            notifier.stop();
        }
    }

    @Test
    void anUnreachableServiceCountsAsFailed() throws Exception {
        PublicationNotifier notifier = notifyingOn(FreePorts.next());
        try {
            notifier.published(TestHost.REPO);
            Await.until(() -> counted("failed") == 1.0, () -> "the unreachable service is counted as a failure");
            assertEquals(0.0, counted("sent"));
        } finally {
            notifier.stop();
        }
    }

    @Test
    void aRepositoryWithoutAManifestIsNotAnnouncedAndCountsAsFailed() throws Exception {
        PublicationNotifier notifier = notifyingOn(service.getAddress().getPort());
        try {
            notifier.published("absent.test");
            assertEquals(1.0, counted("failed"), "counted at once, before anything is sent");
            notifier.published(TestHost.REPO);
            assertEquals(TestHost.REPO, ActivityMessage.parse(received.poll(60, TimeUnit.SECONDS)).repository());
            assertNull(received.poll(0, TimeUnit.SECONDS), "nothing was sent for the absent repository");
        } finally {
            notifier.stop();
        }
    }

    @Test
    void withoutANotifyUrlNothingIsSentOrCounted() throws Exception {
        PublicationNotifier notifier = notifier(Map.of());
        try {
            notifier.published(TestHost.REPO);
            notifier.published("absent.test");
        } finally {
            notifier.stop();
        }
        assertNull(received.poll(0, TimeUnit.SECONDS));
        assertEquals(0, metrics.getMeters().size(), "no notification outcome was counted");
    }
}
