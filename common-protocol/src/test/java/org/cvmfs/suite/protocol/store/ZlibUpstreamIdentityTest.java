package org.cvmfs.suite.protocol.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * Our compressor yields the very bytes upstream stored, so an object we write for the same
 * content gets the same name and deduplicates with upstream's (spec 2.2 leaves this open).
 */
class ZlibUpstreamIdentityTest {
    @Test
    void recompressingEveryFixtureObjectReproducesItExactly() throws Exception {
        List<Path> objects;
        try (var walk = Files.walk(Fixtures.upstreamTestLocal().resolve("served/data"))) {
            objects = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(objects.size() > 20, "fixture objects found: " + objects.size());
        for (Path object : objects) {
            byte[] stored = Files.readAllBytes(object);
            assertArrayEquals(stored, Zlib.compress(Zlib.inflate(stored, 1 << 26)), object.toString());
        }
    }
}
