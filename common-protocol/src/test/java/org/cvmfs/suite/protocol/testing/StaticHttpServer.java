package org.cvmfs.suite.protocol.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Serves a directory read-only over HTTP on 127.0.0.1 and a free port, like Apache serves
 * {@code /srv/cvmfs}: GET and HEAD, 404 for anything missing, no directory listings.
 */
public final class StaticHttpServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final Path root;

    private StaticHttpServer(Path root) throws IOException {
        this.root = root.toAbsolutePath().normalize();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        this.executor = Executors.newFixedThreadPool(4);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Starts serving {@code root} at {@code http://127.0.0.1:PORT/}. */
    public static StaticHttpServer serve(Path root) {
        try {
            return new StaticHttpServer(root);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start a test HTTP server", e);
        }
    }

    /** The URL of {@code path} below the served root, e.g. {@code cvmfs/test.local}. */
    public URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + path);
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            Path file = root.resolve(exchange.getRequestURI().getPath().substring(1)).normalize();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.sendResponseHeaders(405, -1);
            } else if (!file.startsWith(root) || !Files.isRegularFile(file)) {
                exchange.sendResponseHeaders(404, -1);
            } else if (method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Content-Length", Long.toString(Files.size(file)));
                exchange.sendResponseHeaders(200, -1);
            } else {
                byte[] body = Files.readAllBytes(file);
                exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
