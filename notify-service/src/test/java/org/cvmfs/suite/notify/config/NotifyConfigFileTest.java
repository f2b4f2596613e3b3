package org.cvmfs.suite.notify.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NotifyConfigFileTest {
    /** The tutorial's config_notify.json, as the cvm19 tutorial ships it. */
    private static final String TUTORIAL = """
            {
                "port": 4930,
                "log_level": "info",
                "amqp": {
                    "user": "guest",
                    "pass": "guest",
                    "url": "localhost",
                    "exchange": "repository.activity",
                    "port": 5672,
                    "vhost": "/"
                }
            }""";

    @TempDir
    Path dir;

    @Test
    void loadsTheTutorialFileAsItIs() throws Exception {
        Map<String, String> p = NotifyConfigFile.properties(write(TUTORIAL), name -> null);
        assertEquals(Map.of(
                "quarkus.http.port", "4930",
                "quarkus.log.level", "INFO",
                "cvmfs.notify.amqp.user", "guest",
                "cvmfs.notify.amqp.password", "guest",
                "cvmfs.notify.amqp.host", "localhost",
                "cvmfs.notify.amqp.exchange", "repository.activity",
                "cvmfs.notify.amqp.port", "5672",
                "cvmfs.notify.amqp.vhost", "/"), p);
    }

    @Test
    void anAbsentFileLeavesTheDefaults() {
        assertTrue(NotifyConfigFile.properties(dir.resolve("none.json"), name -> null).isEmpty());
    }

    @Test
    void mergesPerKeyAndLetsUpstreamEnvironmentVariablesWin() throws Exception {
        Path file = write("{\"amqp\": {\"vhost\": \"/cvmfs\"}, \"testing_mode\": true, \"cache_dir\": \"/tmp/c\", \"publish_auth\": \"hmac\"}");
        Map<String, String> env = Map.of("CVMFS_NOTIFY_AMQP_USERNAME", "worker", "CVMFS_NOTIFY_PORT", "5000",
                "CVMFS_NOTIFY_LOG_LEVEL", "warning", "CVMFS_NOTIFY_TESTING_MODE", "false");
        Map<String, String> p = NotifyConfigFile.properties(file, env::get);
        assertEquals("/cvmfs", p.get("cvmfs.notify.amqp.vhost"));
        assertEquals("worker", p.get("cvmfs.notify.amqp.user"));
        assertEquals("5000", p.get("quarkus.http.port"));
        assertEquals("WARN", p.get("quarkus.log.level"));
        assertEquals("false", p.get("cvmfs.notify.testing-mode"));
        assertEquals("/tmp/c", p.get("cvmfs.notify.cache-dir"));
        assertEquals("hmac", p.get("cvmfs.notify.publish-auth"));
    }

    @Test
    void mapsEveryUpstreamLogLevel() throws Exception {
        Map<String, String> expected = Map.of("debug", "DEBUG", "info", "INFO", "notice", "INFO", "warning", "WARN",
                "error", "ERROR", "critical", "FATAL", "alert", "FATAL", "emergency", "FATAL");
        for (var e : expected.entrySet()) {
            assertEquals(e.getValue(), NotifyConfigFile.properties(write("{\"log_level\":\"" + e.getKey() + "\"}"), n -> null)
                    .get("quarkus.log.level"));
        }
    }

    @Test
    void refusesWrongTypesAndValuesNamingTheKey() throws Exception {
        refused("{\"port\": \"4930\"}", "port must be an integer");
        refused("{\"port\": 70000}", "port must be a port number");
        refused("{\"log_level\": \"loud\"}", "log_level must be one of");
        refused("{\"testing_mode\": \"yes\"}", "testing_mode must be true or false");
        refused("{\"amqp\": []}", "'amqp' must be an object");
        refused("{\"amqp\": {\"port\": 5672.5}}", "amqp.port must be an integer");
        refused("{\"amqp\": {\"vhost\": 1}}", "amqp.vhost must be a string");
        refused("[1]", "must be a JSON object");
        refused("{\"port\": ", "is not valid JSON");
        NotifyConfigException env = assertThrows(NotifyConfigException.class,
                () -> NotifyConfigFile.properties(dir.resolve("none.json"), Map.of("CVMFS_NOTIFY_AMQP_PORT", "x")::get));
        assertTrue(env.getMessage().contains("CVMFS_NOTIFY_AMQP_PORT"), env.getMessage());
    }

    @Test
    void findsTheFileUnderTheHostPrefixUnlessNamed() {
        assertEquals(Path.of("/p/etc/cvmfs/notify/config.json"), NotifyConfigFile.location(n -> null, Path.of("/p/etc/cvmfs")));
        assertEquals(Path.of("/elsewhere.json"),
                NotifyConfigFile.location(Map.of(NotifyConfigFile.PATH_ENV, "/elsewhere.json")::get, Path.of("/etc/cvmfs")));
    }

    private void refused(String json, String expected) throws Exception {
        Path file = write(json);
        NotifyConfigException e = assertThrows(NotifyConfigException.class, () -> NotifyConfigFile.properties(file, n -> null));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "names the file: " + e.getMessage());
    }

    private Path write(String json) throws Exception {
        Path file = Files.createTempFile(dir, "config", ".json");
        Files.writeString(file, json);
        return file;
    }
}
