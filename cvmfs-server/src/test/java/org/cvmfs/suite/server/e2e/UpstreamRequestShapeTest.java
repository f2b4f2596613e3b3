package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.cvmfs.suite.protocol.gateway.GatewayAuth;
import org.cvmfs.suite.protocol.gateway.GatewayJson;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.gateway.LeaseRequest;
import org.cvmfs.suite.protocol.gateway.PayloadMessage;
import org.cvmfs.suite.protocol.hash.ContentHash;
import org.cvmfs.suite.protocol.hash.ObjectSuffix;
import org.cvmfs.suite.protocol.pack.PackEntry;
import org.cvmfs.suite.protocol.pack.PackHeader;
import org.cvmfs.suite.protocol.store.ObjectStore;
import org.cvmfs.suite.protocol.store.Zlib;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Our publisher repeats the recorded upstream publications through our gateway, and its requests
 * are set beside upstream's (../shared/fixtures/upstream-gateway-publication/exchanges): same
 * routes in the same order, same headers, same bodies up to tokens, hashes, times and the host
 * name (and our acquire's signed time stamp and nonce after upstream's fields: {@link #upstreamPart}),
 * the same object pack layout and, for publication A's tree, the very same file objects.
 * That is what lets it publish through an upstream gateway too.
 */
@ExtendWith(Hosts.Extension.class)
class UpstreamRequestShapeTest {
    private static final Path FIXTURE = Fixtures.gatewayPublication();
    private static final Path EXCHANGES = FIXTURE.resolve("exchanges");
    private static final GatewayKey KEY1 = new GatewayKey("key1", "big_secret");

    private final Hosts hosts;
    private final PublisherHost two;

    UpstreamRequestShapeTest(Hosts hosts) {
        this.hosts = hosts;
        this.two = hosts.publisher2();
    }

    /** Publication A: transaction capture.test/sw, the tree of publisher-tree-a.txt, publish (exchanges 001-004). */
    @Test
    void publicationSendsWhatUpstreamsPublisherSent() throws Exception {
        ContentHash base = hosts.gateway().head().rootCatalog();
        hosts.tap().clear();
        ServerCli.assertExit(0, two.transaction("/sw"));
        writeTreeOfPublicationA(two.tree("/sw"));
        hosts.publish(two);

        List<GatewayTap.Request> ours = hosts.tap().requests();
        String token = ours.get(ours.size() - 1).token();
        assertEquals(List.of("POST /leases", "POST /payloads", "POST /payloads", "POST /leases/" + token),
                ours.stream().map(r -> r.method() + " " + r.route()).toList());
        assertEquals(List.of("POST /leases", "POST /payloads", "POST /payloads", "POST /leases/TOKEN"),
                recordedRoutes("001", "002", "003", "004"));

        GatewayTap.Request acquire = ours.get(0);
        sameHeaders("001-POST-leases", acquire);
        assertEquals(recordedBody("001-POST-leases"), upstreamPart(acquire.body()));
        assertEquals(GatewayAuth.sign(KEY1, acquire.body()), acquire.header("Authorization"));

        Pack data = Pack.of(ours.get(1));
        sameHeaders("002-POST-payloads", ours.get(1));
        data.assertWellFormed(token);
        assertEquals(Pack.of(recorded("002-POST-payloads")).distinctObjects(), data.distinctObjects(),
                "the file objects of publication A, byte for byte the same as upstream's");

        Pack catalogs = Pack.of(ours.get(2));
        sameHeaders("003-POST-payloads", ours.get(2));
        catalogs.assertWellFormed(token);
        assertEquals(Pack.of(recorded("003-POST-payloads")).suffixes(), catalogs.suffixes(),
                "the catalogs (root and /sw/nested) follow in a pack of their own");

        GatewayTap.Request commit = ours.get(3);
        sameHeaders("004-POST-leases-token", commit);
        assertEquals(commitShape(recordedBody("004-POST-leases-token")), commitShape(text(commit.body())));
        JsonNode sent = new ObjectMapper().readTree(commit.body());
        assertEquals(base.toSuffixedText(), sent.path("old_root_hash").asText());
        assertTrue(catalogs.distinctObjects().containsKey(sent.path("new_root_hash").asText()),
                "the new root catalog travelled in the catalog pack");
        assertEquals(GatewayAuth.sign(KEY1, token), commit.header("Authorization"));
    }

    /** Step C: transaction capture.test/data, a file written, abort -f (exchanges 009-010). */
    @Test
    void abortSendsWhatUpstreamsPublisherSent() throws Exception {
        hosts.tap().clear();
        ServerCli.assertExit(0, two.transaction("/data"));
        Files.writeString(two.tree("/data").resolve("dropped.txt"), "dropped\n");
        ServerCli.assertExit(0, two.abort("-f"));

        List<GatewayTap.Request> ours = hosts.tap().requests();
        String token = ours.get(ours.size() - 1).token();
        assertEquals(List.of("POST /leases", "DELETE /leases/" + token),
                ours.stream().map(r -> r.method() + " " + r.route()).toList());
        sameHeaders("009-POST-leases", ours.get(0));
        assertEquals(recordedBody("009-POST-leases"), upstreamPart(ours.get(0).body()));
        sameHeaders("010-DELETE-leases-token", ours.get(1));
        assertEquals(0, ours.get(1).length());
        assertEquals(GatewayAuth.sign(KEY1, token), ours.get(1).header("Authorization"));
    }

    /**
     * Our acquire body is upstream's (same fields, order and spacing) followed by our signed
     * {@code timestamp} and {@code nonce}, which upstream's gateway does not read (it decodes
     * {@code path} and {@code api_version} only; Go's decoder skips unknown fields) and our
     * gateway checks against replays. Returns the body as upstream's publisher on host {@code vm}
     * would have sent it: our host name replaced, our two fields cut off after checking their form.
     */
    private static String upstreamPart(byte[] body) {
        LeaseRequest sent = LeaseRequest.parse(body);
        String ours = ", \"timestamp\" : " + sent.timestamp() + ", \"nonce\" : \"" + sent.nonce() + "\"}";
        assertTrue(sent.nonce().matches("[0-9a-f]{32}"), sent.nonce());
        assertTrue(Math.abs(sent.timestamp() - java.time.Instant.now().getEpochSecond()) < 3600, "timestamp " + sent.timestamp());
        String text = text(body);
        assertTrue(text.endsWith(ours), text);
        return text.substring(0, text.length() - ours.length())
                .replace("\"hostname\" : " + GatewayJson.quote(sent.hostname()), "\"hostname\" : \"vm\"") + "}";
    }

    /**
     * The same header names (case aside) as the recorded request, and the same values where they
     * do not depend on the body: user agent, accepted types, content type, key id. Besides them,
     * only {@code Connection: keep-alive}, which the JDK's {@code HttpURLConnection} always adds:
     * a hop-by-hop header saying what HTTP/1.1 means anyway, which Go's server and ours read as
     * the default.
     */
    private static void sameHeaders(String exchange, GatewayTap.Request ours) throws IOException {
        Recorded recorded = recorded(exchange);
        Set<String> names = lowerCase(Set.copyOf(ours.headerNames()));
        if (names.remove("connection")) {
            assertEquals("keep-alive", ours.header("Connection"), exchange + ": Connection");
        }
        assertEquals(lowerCase(recorded.headers().keySet()), names, exchange + ": header names");
        for (String name : List.of("User-Agent", "Accept", "Content-Type")) {
            assertEquals(recorded.headers().get(name), ours.header(name), exchange + ": " + name);
        }
        assertEquals(recorded.headers().get("Authorization").split(" ")[0], ours.header("Authorization").split(" ")[0]);
        assertEquals(Long.toString(ours.length()), ours.header("Content-Length"));
    }

    private static Set<String> lowerCase(Set<String> names) {
        return names.stream().map(n -> n.toLowerCase(Locale.ROOT)).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The commit body with hashes and the time in the tag name blanked: field order, spacing and constants remain. */
    private static String commitShape(String body) {
        return body.replaceAll("[0-9a-f]{40}C", "HASH").replaceAll("generic-\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ",
                "generic-TIME");
    }

    private static List<String> recordedRoutes(String... numbers) throws IOException {
        List<String> out = new ArrayList<>();
        try (var dirs = Files.list(EXCHANGES)) {
            for (Path d : dirs.sorted().toList()) {
                if (Arrays.asList(numbers).contains(d.getFileName().toString().substring(0, 3))) {
                    String[] line = Files.readString(d.resolve("request.line")).split(" ");
                    out.add(line[0] + " " + line[1].substring("/api/v1".length()).replaceAll("/[A-Z2-7]{52}====$", "/TOKEN"));
                }
            }
        }
        return out;
    }

    private record Recorded(Map<String, String> headers, byte[] body) {
    }

    private static Recorded recorded(String exchange) throws IOException {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line : Files.readString(EXCHANGES.resolve(exchange).resolve("request.headers")).split("\r\n")) {
            if (!line.isEmpty()) {
                headers.put(line.substring(0, line.indexOf(':')), line.substring(line.indexOf(':') + 1).strip());
            }
        }
        return new Recorded(headers, Files.readAllBytes(EXCHANGES.resolve(exchange).resolve("request.body")));
    }

    private static String recordedBody(String exchange) throws IOException {
        return text(recorded(exchange).body());
    }

    private static String text(byte[] body) {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** A payload body: {@code Message-Size} bytes of JSON, the pack header, the objects. */
    private record Pack(PayloadMessage message, String messageText, byte[] header, PackHeader parsed, byte[] objects,
                        long bodyLength) {
        static Pack of(GatewayTap.Request r) {
            return of(Integer.parseInt(r.header("Message-Size")), r.body(), r.length());
        }

        static Pack of(Recorded r) {
            return of(Integer.parseInt(r.headers().get("Message-Size")), r.body(), r.body().length);
        }

        private static Pack of(int messageSize, byte[] body, long length) {
            byte[] message = Arrays.copyOf(body, messageSize);
            PayloadMessage parsed = PayloadMessage.parse(message);
            int headerSize = parsed.headerSizeValue();
            byte[] header = Arrays.copyOfRange(body, messageSize, messageSize + headerSize);
            return new Pack(parsed, text(message), header, PackHeader.parse(header),
                    Arrays.copyOfRange(body, messageSize + headerSize, body.length), length);
        }

        /** Digest, sizes and message layout as upstream writes them; the objects complete and each one named by its hash. */
        void assertWellFormed(String token) {
            assertEquals("{\"session_token\" : \"" + token + "\", \"payload_digest\" : \"" + PackHeader.digestOf(header)
                    + "\", \"header_size\" : \"" + header.length + "\", \"api_version\" : \"2\"}", messageText);
            String headerText = new String(header, StandardCharsets.US_ASCII);
            assertTrue(headerText.startsWith("V2\nS" + parsed.payloadSize() + "\nN" + parsed.entries().size() + "\n--\n"),
                    headerText);
            assertEquals(messageText.length() + header.length + parsed.payloadSize(), bodyLength);
            assertEquals(parsed.payloadSize(), objects.length, "the whole pack is in the part the tap keeps");
            distinctObjects();
        }

        /** Each object's suffixed hash and size; every object verified against its hash. */
        Map<String, Long> distinctObjects() {
            Map<String, Long> out = new TreeMap<>();
            int offset = 0;
            for (PackEntry e : parsed.entries()) {
                byte[] object = Arrays.copyOfRange(objects, offset, offset + (int) e.size());
                assertTrue(e.hash().matches(object), e.hash() + " does not match its bytes");
                out.put(e.hash().toSuffixedText(), e.size());
                offset += (int) e.size();
            }
            return out;
        }

        List<ObjectSuffix> suffixes() {
            return parsed.entries().stream().map(e -> e.hash().suffix()).toList();
        }
    }

    /** Writes /sw as the fixture says the upstream publisher had it before publishing A (content from its objects). */
    private static void writeTreeOfPublicationA(Path work) throws Exception {
        JsonNode entries = Fixtures.gatewayPublicationFacts()
                .path("states").path("after-a").path("entries");
        ObjectStore objects = new ObjectStore(FIXTURE.resolve("after-a"));
        for (JsonNode e : entries) {
            String path = e.path("path").asText();
            if (!path.startsWith("/sw/")) {
                continue;
            }
            Path target = work.resolve(path.substring("/sw/".length()));
            String permissions = permissions(Integer.parseInt(e.path("mode").asText(), 8));
            switch (e.path("type").asText()) {
                case "dir" -> Files.createDirectories(target);
                case "symlink" -> Files.createSymbolicLink(target, Path.of(e.path("target").asText()));
                default -> {
                    ByteArrayOutputStream content = new ByteArrayOutputStream();
                    Iterable<JsonNode> parts = e.has("chunks") ? e.path("chunks") : List.of(e);
                    for (JsonNode part : parts) {
                        content.write(Zlib.inflate(objects.readStored(ContentHash.parseSuffixed(part.path("hash").asText())),
                                64 << 20));
                    }
                    Files.write(target, content.toByteArray());
                }
            }
            if (!e.path("type").asText().equals("symlink")) {
                Files.setPosixFilePermissions(target, PosixFilePermissions.fromString(permissions));
            }
        }
    }

    private static String permissions(int bits) {
        StringBuilder s = new StringBuilder();
        String letters = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            s.append((bits & (1 << (8 - i))) != 0 ? letters.charAt(i) : '-');
        }
        return s.toString();
    }
}
