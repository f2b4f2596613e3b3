package org.cvmfs.suite.protocol.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayUserConfigTest {
    @TempDir
    Path dir;

    private HostPaths host() {
        System.setProperty(HostPaths.PREFIX_PROPERTY, dir.toString());
        try {
            return HostPaths.fromEnvironment();
        } finally {
            System.clearProperty(HostPaths.PREFIX_PROPERTY);
        }
    }

    @Test
    void missingFileGivesUpstreamDefaultsUnderThePrefix() {
        GatewayUserConfig c = GatewayUserConfig.read(dir.resolve("absent.json"), Map.of(), host());
        assertEquals(dir.resolve("etc/cvmfs/gateway/repo.json"), c.accessConfigFile());
        assertEquals(4929, c.port());
        assertEquals(Duration.ofHours(2), c.maxLeaseTime());
        assertEquals(1, c.numReceivers());
        assertEquals(Path.of("/usr/bin/cvmfs_receiver"), c.receiverPath());
        assertEquals(dir.resolve("var/lib/cvmfs-gateway"), c.workDir());
        assertEquals("info", c.logLevel());
        assertEquals(GatewayUserConfig.BACKEND_NATIVE, c.receiverBackend());
    }

    @Test
    void readsTheFixtureFile() {
        GatewayUserConfig c = GatewayUserConfig.read(
                Fixtures.gatewayPublication().resolve("server-config/gateway.user.json"), Map.of(), host());
        assertEquals("debug", c.logLevel());
        assertTrue(c.logTimestamps());
        assertEquals(Path.of("/var/lib/cvmfs-gateway-capture"), c.workDir());
    }

    @Test
    void flagsBeatTheFileAndLegacyKeysApplyAsUpstream() throws Exception {
        Path file = dir.resolve("user.json");
        Files.writeString(file, """
                { "port": 5000, "fe_tcp_port": 6000, "max_lease_time": 60, "log_level": "loud",
                  "receiver_config": { "size": 3 },
                  "receiver_worker_config": { "executable_path": "/opt/receiver" } }""");
        GatewayUserConfig plain = GatewayUserConfig.read(file, Map.of(), host());
        assertEquals(6000, plain.port(), "fe_tcp_port wins over port");
        assertEquals(3, plain.numReceivers());
        assertEquals(Path.of("/opt/receiver"), plain.receiverPath());
        assertEquals("info", plain.logLevel(), "an unknown level falls back to info");
        GatewayUserConfig flagged = GatewayUserConfig.read(file, Map.of("port", "7000", "num_receivers", "2",
                "receiver_path", "/x", "max_lease_time", "30"), host());
        assertEquals(6000, flagged.port(), "fe_tcp_port wins even over --port");
        assertEquals(2, flagged.numReceivers());
        assertEquals(Path.of("/x"), flagged.receiverPath());
        assertEquals(Duration.ofSeconds(30), flagged.maxLeaseTime());
    }

    @Test
    void invalidValuesAreNamed() throws Exception {
        assertRefused("{\"port\":\"http\"}", Map.of(), "port must be an integer");
        assertRefused("{\"port\":70000}", Map.of(), "port must be between");
        assertRefused("{\"num_receivers\":0}", Map.of(), "num_receivers must be at least 1");
        assertRefused("{\"receiver_config\":{}, \"num_receivers\":0}", Map.of(), "num_receivers");
        assertRefused("{\"max_lease_time\":0}", Map.of(), "max_lease_time");
        assertRefused("{\"receiver_backend\":\"magic\"}", Map.of(), "receiver_backend must be");
        assertRefused("{\"log_timestamps\":\"sometimes\"}", Map.of(), "log_timestamps");
        assertRefused("{\"work_dir\":{\"a\":1}}", Map.of(), "work_dir must be a single value");
        assertRefused("{}", Map.of("max_lease_time", "soon"), "--max_lease_time must be an integer");
        assertRefused("{}", Map.of("colour", "blue"), "unknown gateway option 'colour'");
        assertRefused("{\"port\":", Map.of(), "user.json");
        assertRefused("[]", Map.of(), "JSON object");
    }

    @Test
    void notifyUrlIsOptionalAndMustBeHttp() throws Exception {
        Path file = dir.resolve("user.json");
        Files.writeString(file, "{\"notify_url\": \"http://notify.example:4930/api/v1\"}");
        assertEquals(java.util.Optional.of(java.net.URI.create("http://notify.example:4930/api/v1")),
                GatewayUserConfig.read(file, Map.of(), host()).notifyUrl());
        assertTrue(GatewayUserConfig.read(file, Map.of("notify_url", ""), host()).notifyUrl().isEmpty(),
                "an empty flag switches notifications off");
        assertTrue(GatewayUserConfig.read(dir.resolve("absent.json"), Map.of(), host()).notifyUrl().isEmpty());
        assertRefused("{\"notify_url\":\"ftp://notify.example/\"}", Map.of(), "notify_url must be an http or https URL");
        assertRefused("{\"notify_url\":\"/api/v1\"}", Map.of(), "notify_url must be an http or https URL");
        assertRefused("{\"notify_url\":\"http://bad host/\"}", Map.of(), "notify_url must be a URL");
    }

    private void assertRefused(String json, Map<String, String> flags, String expected) throws Exception {
        Path file = dir.resolve("user.json");
        Files.writeString(file, json);
        ConfigException e = assertThrows(ConfigException.class, () -> GatewayUserConfig.read(file, flags, host()));
        assertTrue(e.getMessage().contains(expected), "'" + e.getMessage() + "' should mention " + expected);
    }
}
