package org.cvmfs.suite.gateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.cvmfs.suite.protocol.testing.Fixtures;

/**
 * One HTTP exchange recorded between upstream's publisher and gateway
 * ({@code upstream-gateway-publication/exchanges/NNN-...}).
 *
 * @param headers request headers by name as recorded (first occurrence)
 */
public record RecordedExchange(String name, String method, String target, Map<String, String> headers,
                               byte[] body, String responseBody) {

    /** The exchange whose folder starts with {@code number}, e.g. {@code "004"}. */
    public static RecordedExchange load(String number) {
        Path dir = Fixtures.gatewayPublication().resolve("exchanges");
        try (var list = Files.list(dir)) {
            Path folder = list.filter(p -> p.getFileName().toString().startsWith(number + "-")).findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("no recorded exchange " + number));
            String[] line = Files.readString(folder.resolve("request.line"), StandardCharsets.ISO_8859_1).split(" ");
            Map<String, String> headers = new LinkedHashMap<>();
            for (String h : Files.readString(folder.resolve("request.headers"), StandardCharsets.ISO_8859_1)
                    .split("\r\n")) {
                int colon = h.indexOf(':');
                if (colon > 0) {
                    headers.putIfAbsent(h.substring(0, colon), h.substring(colon + 1).strip());
                }
            }
            return new RecordedExchange(folder.getFileName().toString(), line[0], line[1], headers,
                    Files.readAllBytes(folder.resolve("request.body")),
                    Files.readString(folder.resolve("response.body"), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The {@code Message-Size} of a payload request: how many body bytes are the signed JSON message. */
    public int messageSize() {
        return Integer.parseInt(headers.get("Message-Size"));
    }
}
