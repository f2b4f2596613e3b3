package org.cvmfs.suite.conveyor.worker.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.cvmfs.suite.protocol.config.ConfigOrdinal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's configuration source: upstream's keys and ours as properties, and a log level
 * that outranks the WARN the {@code cvmfs-server} jar's {@code application.properties} brings.
 */
class WorkerConfigSourceTest {
    private static final String VALID = """
            shared_key = "k"
            [server]
            host = "127.0.0.1"
            [queue]
            username = "guest"
            password = "guest"
            host = "127.0.0.1"
            """;

    @TempDir
    Path dir;

    @Test
    void logsAtInfoWhateverTheDependenciesSayAndAtDebugWhenAsked() throws Exception {
        assertEquals("INFO", WorkerConfigSource.properties(dir.resolve("missing.toml"), k -> null).get("quarkus.log.level"));
        Path file = dir.resolve("config.toml");
        Files.writeString(file, VALID + "[worker]\nname = \"w1\"\nlease_wait = \"30\"\n");
        Map<String, String> p = WorkerConfigSource.properties(file, k -> null);
        assertEquals("INFO", p.get("quarkus.log.level"));
        assertEquals("w1", p.get("conveyor.worker.name"));
        assertEquals("30", p.get("conveyor.worker.lease-wait"));
        Files.writeString(file, "debug = true\n" + VALID);
        assertEquals("DEBUG", WorkerConfigSource.properties(file, k -> null).get("quarkus.log.level"));
        assertEquals(ConfigOrdinal.UPSTREAM_FILE, new WorkerConfigSource().getOrdinal());
    }
}
