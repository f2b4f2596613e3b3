package org.cvmfs.suite.protocol.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cvmfs.suite.protocol.gateway.GatewayKey;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayRepoConfigTest {
    @TempDir
    Path keys;

    @BeforeEach
    void keyFiles() throws Exception {
        Files.writeString(keys.resolve("test.cern.ch.gw"), "plain_text keyid1 secret1\n");
        Files.writeString(keys.resolve("simple.repo.org.gw"), "plain_text simplekey simplesecret\n");
    }

    @Test
    void readsTheFixtureConfiguration() {
        Path fixture = Fixtures.gatewayPublication();
        GatewayRepoConfig c = GatewayRepoConfig.read(fixture.resolve("server-config/gateway.repo.json"),
                fixture.resolve("keys"));
        assertEquals(Map.of("capture.test", Map.of("key1", "/")), c.repositories());
        assertEquals(new GatewayKey("key1", "big_secret"), c.keys().get("key1").key());
        assertFalse(c.keys().get("key1").admin());
    }

    @Test
    void readsTheVersion2Example() {
        GatewayRepoConfig c = parse("""
                {
                  "version": 2,
                  "repos": [
                    "simple.repo.org",
                    { "domain": "test.cern.ch",
                      "keys": [ { "id": "keyid1", "path": "/" },
                                { "id": "keyid2", "path": "/restricted/to/subdir", "admin": true },
                                { "id": "nopath" } ] }
                  ],
                  "keys": [
                    { "type": "file", "file_name": "%s/test.cern.ch.gw", "id": "ignored" },
                    { "type": "plain_text", "id": "keyid2", "secret": "s2", "repo_subpath": "/ignored" },
                    { "type": "plain_text", "id": "ops", "secret": "s3", "admin": true },
                    { "type": "plain_text", "id": "simplekey", "secret": "declared-first", "admin": true }
                  ]
                }""".formatted(keys));
        assertEquals(Map.of("simplekey", "/"), c.repositories().get("simple.repo.org"));
        assertEquals(Map.of("keyid1", "/", "keyid2", "/restricted/to/subdir", "nopath", ""),
                c.repositories().get("test.cern.ch"));
        assertEquals("secret1", c.keys().get("keyid1").key().secret());
        assertFalse(c.keys().get("keyid2").admin(), "admin inside a repo entry is ignored");
        assertTrue(c.keys().get("ops").admin());
        assertEquals("declared-first", c.keys().get("simplekey").key().secret(), "an earlier keys[] entry wins");
        assertTrue(c.keys().get("simplekey").admin());
        assertEquals(java.util.List.of("simple.repo.org", "test.cern.ch"), java.util.List.copyOf(c.repositories().keySet()));
    }

    @Test
    void readsTheVersion1Example() {
        GatewayRepoConfig c = parse("""
                { "repos": [ { "domain": "test.cern.ch", "keys": ["keyid1", "k2"] } ],
                  "keys": [ { "type": "file", "file_name": "%s/test.cern.ch.gw", "repo_subpath": "/sub" },
                            { "type": "plain_text", "id": "k2", "secret": "x" } ] }""".formatted(keys));
        assertEquals(Map.of("keyid1", "/sub", "k2", ""), c.repositories().get("test.cern.ch"));
        GatewayRepoConfig explicit = parse("{\"version\":1,\"repos\":[{\"domain\":\"r\",\"keys\":[\"k\"]}],"
                + "\"keys\":[{\"type\":\"plain_text\",\"id\":\"k\",\"secret\":\"s\",\"repo_subpath\":\"/a\"}]}");
        assertEquals(Map.of("k", "/a"), explicit.repositories().get("r"));
    }

    @Test
    void emptyVersion2IsValid() {
        assertTrue(parse("{\"version\":2}").repositories().isEmpty());
    }

    @Test
    void badConfigurationsAreNamedClearly() {
        assertRefused("{\"version\":2,\"repos\":[\"absent.repo\"]}", "absent.repo.gw");
        assertRefused("{\"version\":2,\"repos\":[{\"domain\":\"r\",\"keys\":[\"k\"]}]}", "could not interpret");
        assertRefused("{\"version\":2,\"repos\":[42]}", "could not interpret");
        assertRefused("{\"version\":2,\"keys\":[{\"type\":\"rsa\",\"id\":\"k\"}]}", "invalid key type 'rsa'");
        assertRefused("{\"version\":2,\"keys\":[{\"type\":\"plain_text\",\"id\":\"k\"}]}", "'secret'");
        assertRefused("{\"version\":2,\"keys\":[{\"type\":\"plain_text\",\"id\":\"k\",\"secret\":\"s\",\"admin\":\"yes\"}]}",
                "'admin'");
        assertRefused("{\"version\":2,\"repos\":[\"../etc\"]}", "invalid repository name");
        assertRefused("{\"version\":2,\"repos\":{}}", "'repos' must be a list");
        assertRefused("[1]", "JSON object");
        assertRefused("{\"version\":2,", "not valid JSON");
    }

    @Test
    void missingFileIsReportedByName() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> GatewayRepoConfig.read(keys.resolve("repo.json"), keys));
        assertTrue(e.getMessage().contains("repo.json does not exist"), e.getMessage());
    }

    private void assertRefused(String json, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> parse(json));
        assertTrue(e.getMessage().startsWith("repo.json: "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should mention " + expected);
    }

    private GatewayRepoConfig parse(String json) {
        return GatewayRepoConfig.parse(json.getBytes(StandardCharsets.UTF_8), "repo.json", keys);
    }
}
