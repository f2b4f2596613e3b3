package org.cvmfs.suite.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cvmfs.suite.protocol.testing.Fixtures;

/** One recorded exchange of the upstream publication fixture. */
public record Recorded(String name, String method, String target, Map<String, String> headers, byte[] body,
                       int status, String responseBody) {

    public static Recorded load(String name) {
        Path dir = Fixtures.gatewayPublication().resolve("exchanges").resolve(name);
        try {
            String[] line = Files.readString(dir.resolve("request.line")).trim().split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h : Files.readString(dir.resolve("request.headers")).split("\r\n")) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.put(h.substring(0, colon), h.substring(colon + 1).trim());
                }
            }
            return new Recorded(name, line[0], line[1], headers, Files.readAllBytes(dir.resolve("request.body")),
                    Integer.parseInt(Files.readString(dir.resolve("response.status")).trim()),
                    Files.readString(dir.resolve("response.body")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int messageSize() {
        return Integer.parseInt(headers.get("Message-Size"));
    }

    /** The payload's JSON message (the signed part of a legacy payload). */
    public byte[] message() {
        return Arrays.copyOf(body, messageSize());
    }

    /** The payload body after its JSON message: pack header and objects. */
    public byte[] pack() {
        return Arrays.copyOfRange(body, messageSize(), body.length);
    }

    public String messageText() {
        return new String(message(), StandardCharsets.UTF_8);
    }
}
