package org.cvmfs.suite.conveyor.server.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cvmfs.suite.protocol.config.ConfigOrdinal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server's configuration source: {@code [server] port} and {@code [db]} become the Quarkus
 * HTTP port and datasource, every key is also {@code conveyor.*}; a missing or invalid file
 * contributes nothing (the start refuses it with upstream's message).
 */
class ConveyorConfigSourceTest {
    private static final String VALID = """
            shared_key = "k"
            [server]
            host = "127.0.0.1"
            port = 8123
            [queue]
            username = "guest"
            password = "guest"
            host = "127.0.0.1"
            [db]
            database = "jobs"
            username = "conveyor"
            password = "pw"
            host = "db.example"
            port = 5433
            """;

    @TempDir
    Path dir;

    @Test
    void mapsServerAndDatabaseOntoQuarkusAndKeepsEveryKey() throws Exception {
        Path file = dir.resolve("config.toml");
        Files.writeString(file, VALID);
        Map<String, String> p = ConveyorConfigSource.properties(file, k -> null);
        assertEquals("8123", p.get("quarkus.http.port"));
        assertEquals("jdbc:postgresql://db.example:5433/jobs", p.get("quarkus.datasource.jdbc.url"));
        assertEquals("conveyor", p.get("quarkus.datasource.username"));
        assertEquals("pw", p.get("quarkus.datasource.password"));
        assertEquals("k", p.get("conveyor.shared-key"), p.toString());
    }

    @Test
    void aMissingOrInvalidFileContributesNothing() throws Exception {
        assertEquals(Map.of(), ConveyorConfigSource.properties(dir.resolve("missing.toml"), k -> null));
        Path file = dir.resolve("config.toml");
        Files.writeString(file, "[server\n");
        assertEquals(Map.of(), ConveyorConfigSource.properties(file, k -> null));
        assertEquals(ConfigOrdinal.UPSTREAM_FILE, new ConveyorConfigSource().getOrdinal());
    }
}
