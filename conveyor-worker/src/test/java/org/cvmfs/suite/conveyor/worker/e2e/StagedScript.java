package org.cvmfs.suite.conveyor.worker.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.cvmfs.suite.protocol.testing.StaticHttpServer;

/**
 * A payload script as the tutorial stages one: a file in a directory of the test served over
 * HTTP, named in job payloads with its sha1 ({@code script|URL?checksum=sha1:HEX|ARGUMENT}).
 */
final class StagedScript implements AutoCloseable {
    private final StaticHttpServer server;
    private final String url;

    private StagedScript(StaticHttpServer server, String url) {
        this.server = server;
        this.url = url;
    }

    /** Writes {@code script} as {@code dir/name} and serves {@code dir}. */
    static StagedScript serve(Path dir, String name, String script) throws IOException {
        byte[] body = script.getBytes(StandardCharsets.UTF_8);
        Files.write(Files.createDirectories(dir).resolve(name), body);
        StaticHttpServer server = StaticHttpServer.serve(dir);
        try {
            String sha1 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1").digest(body));
            return new StagedScript(server, server.url(name) + "?checksum=sha1:" + sha1);
        } catch (NoSuchAlgorithmException e) {
            server.close();
            throw new IllegalStateException(e);
        }
    }

    /** The job payload that runs the script with {@code argument}. */
    String payload(String argument) {
        return "script|" + url + "|" + argument;
    }

    @Override
    public void close() {
        server.close();
    }
}
