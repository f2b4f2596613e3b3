package org.cvmfs.suite.protocol.notify;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Base64;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;

class ActivityMessageTest {
    private static final byte[] MANIFEST = "C609\nS7\nNtest.cern.ch\n--\nabc\n\u0001\u00ff".getBytes(StandardCharsets.ISO_8859_1);

    @Test
    void writesTheCanonicalFormOfTheCppPublisher() {
        ActivityMessage m = ActivityMessage.of("test.cern.ch", "Qzc".getBytes(StandardCharsets.US_ASCII),
                ZonedDateTime.of(2019, 3, 5, 15, 55, 48, 0, ZoneOffset.UTC));
        assertEquals("{ \"version\" : 1, \"timestamp\" : \"5 Mar 2019 15:55:48\", \"type\" : \"activity\", "
                        + "\"repository\" : \"test.cern.ch\", \"manifest\" : \"UXpj\"}",
                new String(m.toJson(), StandardCharsets.UTF_8));
    }

    @Test
    void timestampHasNoZeroPaddedDayButPaddedTime() {
        ActivityMessage m = ActivityMessage.of("r", new byte[0], ZonedDateTime.of(2024, 12, 9, 7, 4, 3, 0, ZoneOffset.UTC));
        assertEquals("9 Dec 2024 07:04:03", m.timestamp());
    }

    @Test
    void roundTripsAManifestWithItsBinarySignature() throws Exception {
        byte[] manifest = Files.readAllBytes(Fixtures.gatewayPublication().resolve("after-b/.cvmfspublished"));
        ActivityMessage m = ActivityMessage.of("capture.test", manifest, ZonedDateTime.now());
        ActivityMessage back = ActivityMessage.parse(m.toJson());
        assertEquals(m, back);
        assertArrayEquals(manifest, back.manifest());
    }

    @Test
    void readsCompactAndPrettyFormsAndIgnoresUnknownFields() {
        String b64 = Base64.getEncoder().encodeToString(MANIFEST);
        String json = "{\n  \"extra\": {\"nested\": [1, {\"repository\": \"x\"}]},\n  \"version\": 1,\n"
                + "  \"timestamp\": \"now\", \"type\": \"activity\", \"repository\": \"test.cern.ch\",\n"
                + "  \"manifest\": \"" + b64 + "\"\n}";
        ActivityMessage m = ActivityMessage.parse(json.getBytes(StandardCharsets.UTF_8));
        assertEquals("test.cern.ch", m.repository());
        assertEquals("now", m.timestamp());
        assertArrayEquals(MANIFEST, m.manifest());
    }

    @Test
    void firstOccurrenceOfAKeyWinsAsInTheCppParser() {
        String json = "{\"version\":1,\"timestamp\":\"t\",\"type\":\"activity\",\"repository\":\"first.org\","
                + "\"repository\":\"second.org\",\"manifest\":\"\"}";
        assertEquals("first.org", ActivityMessage.parse(json.getBytes(StandardCharsets.UTF_8)).repository());
    }

    @Test
    void refusesEachMalformedShapeNamingTheField() {
        assertRefused("{\"version\":1", "not valid JSON");
        assertRefused("[1,2]", "not a JSON object");
        assertRefused("", "not");
        assertRefused(message("1", "\"t\"", "\"activity\"", "\"r\"", "\"\"") + " {}", "data after");
        assertRefused(message("\"1\"", "\"t\"", "\"activity\"", "\"r\"", "\"\""), "'version' is the string \"1\"");
        assertRefused(message("1.5", "\"t\"", "\"activity\"", "\"r\"", "\"\""), "'version' is 1.5");
        assertRefused(message("99999999999", "\"t\"", "\"activity\"", "\"r\"", "\"\""), "integer range");
        assertRefused(message("1", "7", "\"activity\"", "\"r\"", "\"\""), "'timestamp' is 7, a string is required");
        assertRefused(message("1", "\"t\"", "\"publish\"", "\"r\"", "\"\""), "'type' is \"publish\", expected \"activity\"");
        assertRefused(message("1", "\"t\"", "\"activity\"", "null", "\"\""), "'repository' is null");
        assertRefused(message("1", "\"t\"", "\"activity\"", "{\"a\":1}", "\"\""), "'repository' is {...}");
        assertRefused(message("1", "\"t\"", "\"activity\"", "\"r\"", "\"QQ\""), "not a multiple of 4");
        assertRefused(message("1", "\"t\"", "\"activity\"", "\"r\"", "\"QQ-_\""), "not standard Base64");
        assertRefused(message("1", "\"t\"", "\"activity\"", "\"r\"", "\"QQ==QQ==\""), "not standard Base64");
        assertRefused(message("1", "\"t\"", "\"activity\"", "\"a\\\"b\"", "\"\""), "needs JSON escaping");
        assertRefused("{\"version\":1,\"timestamp\":\"t\",\"type\":\"activity\",\"repository\":\"r\"}", "'manifest' is missing");
    }

    @Test
    void refusesTextThatTheCanonicalFormCannotCarry() {
        assertThrows(IllegalArgumentException.class, () -> ActivityMessage.of("a\"b", new byte[0], ZonedDateTime.now()));
        assertThrows(IllegalArgumentException.class, () -> new ActivityMessage(1, "line\nbreak", "r", new byte[0]));
    }

    private static String message(String version, String timestamp, String type, String repository, String manifest) {
        return "{\"version\":" + version + ",\"timestamp\":" + timestamp + ",\"type\":" + type
                + ",\"repository\":" + repository + ",\"manifest\":" + manifest + "}";
    }

    private static void assertRefused(String json, String expected) {
        NotifyMessageException e = assertThrows(NotifyMessageException.class,
                () -> ActivityMessage.parse(json.getBytes(StandardCharsets.UTF_8)), json);
        assertTrue(e.getMessage().contains(expected), () -> "'" + e.getMessage() + "' should mention '" + expected + "'");
    }
}
