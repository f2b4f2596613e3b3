package org.cvmfs.suite.protocol.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The suite's HTTP clients make no TLS context for plain HTTP, and over https behave as the JDK's:
 * a real handshake with a context of the test's, and the JDK default's trust store refusing a
 * certificate it does not hold. Released before exit, a client's selector thread is gone.
 */
class HttpClientsTest {
    private static final char[] PASSWORD = "secret".toCharArray();

    @TempDir
    Path dir;

    private HttpServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void plainHttpMakesNoTlsContext() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serveHello(server);
        DeferredTlsContext tls = DeferredTlsContext.of(() -> {
            throw new AssertionError("a plain HTTP request made a TLS context");
        });
        HttpClient client = HttpClients.newBuilder(tls).build();

        assertEquals("hello", get(client, "http"));
        assertFalse(tls.isMade());
        assertTrue(HttpClients.newBuilder().build().sslContext() instanceof DeferredTlsContext);
    }

    @Test
    void releasedBeforeExitNoSelectorThreadIsLeftForTheExitToWaitFor() throws Exception {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        serveHello(server);
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/hello";
        Process probe = new ProcessBuilder(JavaProcess.mainClass(ReleaseBeforeExitProbe.class, List.of(url)))
                .redirectErrorStream(true).start();
        String output = new String(probe.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(probe.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, probe.exitValue(), output);
        assertEquals("body hello\nselectors before 1\nselectors after 0\n", output);
    }

    @Test
    void httpsMakesTheContextOnFirstUseAndShakesHands() throws Exception {
        KeyStore keys = selfSigned();
        startHttps(keys);
        DeferredTlsContext tls = DeferredTlsContext.of(() -> trusting(keys));
        HttpClient client = HttpClients.newBuilder(tls).build();
        assertFalse(tls.isMade());

        assertEquals("hello", get(client, "https"));
        assertTrue(tls.isMade());
        assertEquals("hello", get(client, "https"));
    }

    @Test
    void httpsByDefaultTrustsWhatTheJdkTrusts() throws Exception {
        startHttps(selfSigned());
        HttpClient client = HttpClients.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

        IOException refused = assertThrows(IOException.class, () -> get(client, "https"));
        assertTrue(refused instanceof SSLHandshakeException || refused.getCause() instanceof SSLHandshakeException,
                refused.toString());
    }

    @Test
    void theDeferredContextRefusesToBeInitialisedAgain() {
        DeferredTlsContext tls = DeferredTlsContext.ofDefault();
        assertThrows(java.security.KeyManagementException.class, () -> tls.init(null, null, null));
        assertFalse(tls.isMade());
    }

    private String get(HttpClient client, String scheme) throws IOException, InterruptedException {
        URI uri = URI.create(scheme + "://127.0.0.1:" + server.getAddress().getPort() + "/hello");
        HttpResponse<String> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return response.body();
    }

    private void startHttps(KeyStore keys) throws Exception {
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, PASSWORD);
        SSLContext serverTls = SSLContext.getInstance("TLS");
        serverTls.init(kmf.getKeyManagers(), null, null);
        HttpsServer https = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        https.setHttpsConfigurator(new HttpsConfigurator(serverTls));
        serveHello(https);
        server = https;
    }

    private static void serveHello(HttpServer s) {
        s.createContext("/hello", exchange -> {
            byte[] body = "hello".getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        s.start();
    }

    private static SSLContext trusting(KeyStore keys) {
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(keys);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A key pair and self-signed certificate for 127.0.0.1, made with the JDK's keytool. */
    private KeyStore selfSigned() throws Exception {
        Path store = dir.resolve("server.p12");
        Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "server", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=127.0.0.1",
                "-ext", "san=ip:127.0.0.1", "-validity", "2", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD))
                .redirectErrorStream(true).start();
        String output = new String(keytool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, keytool.waitFor(), output);
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        return keys;
    }
}
