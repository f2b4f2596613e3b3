package org.cvmfs.suite.protocol.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GatewayKeyTest {
    @Test
    void readsTheFixtureKeyFile() {
        GatewayKey key = GatewayKey.readFile(Fixtures.gatewayPublication().resolve("keys/capture.test.gw"));
        assertEquals(new GatewayKey("key1", "big_secret"), key);
    }

    @Test
    void onlyTheFirstLineCountsAndBlanksCollapse() {
        assertEquals(new GatewayKey("id", "s3cr3t"), GatewayKey.parse("  plain_text \t id   s3cr3t  \r\nsecond line", "x"));
        assertEquals(new GatewayKey("id", "s"), GatewayKey.parse("plain_text id s", "x"));
    }

    @Test
    void refusesOtherShapes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GatewayKey.parse("rsa id secret", "/etc/cvmfs/keys/r.gw"));
        assertTrue(e.getMessage().contains("invalid key type 'rsa'"), e.getMessage());
        assertTrue(e.getMessage().contains("/etc/cvmfs/keys/r.gw"));
        assertThrows(IllegalArgumentException.class, () -> GatewayKey.parse("plain_text id", "x"));
        assertThrows(IllegalArgumentException.class, () -> GatewayKey.parse("plain_text id secret more", "x"));
        assertThrows(IllegalArgumentException.class, () -> GatewayKey.parse("", "x"));
        assertThrows(IllegalArgumentException.class, () -> GatewayKey.parse("\nplain_text id secret", "x"));
        assertThrows(IllegalArgumentException.class, () -> new GatewayKey("a b", "c"));
        assertThrows(IllegalArgumentException.class, () -> new GatewayKey("a", null));
    }

    @Test
    void missingFileIsNamed(@TempDir Path dir) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GatewayKey.readFile(dir.resolve("nope.gw")));
        assertTrue(e.getMessage().contains("nope.gw"));
    }

    @Test
    void neverPrintsTheSecret(@TempDir Path dir) throws Exception {
        GatewayKey key = new GatewayKey("key1", "big_secret");
        assertFalse(key.toString().contains("big_secret"));
        Path file = dir.resolve("k.gw");
        Files.writeString(file, key.toFileContent());
        assertEquals(key, GatewayKey.readFile(file));
    }
}
