package org.cvmfs.suite.protocol.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.testing.Fixtures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfFileTest {
    @TempDir
    Path dir;

    @Test
    void upstreamFilesRoundTripByteForByte() throws Exception {
        for (Path p : List.of(
                Fixtures.upstreamTestLocal().resolve("server-config/server.conf"),
                Fixtures.upstreamTestLocal().resolve("server-config/client.conf"),
                Fixtures.gatewayPublication().resolve("server-config/gateway-side.server.conf"),
                Fixtures.gatewayPublication().resolve("server-config/publisher-side.server.conf"))) {
            String text = Files.readString(p);
            ServerConfFile f = ServerConfFile.parse(text, p.toString());
            assertEquals(text, f.format(), p.toString());
        }
    }

    @Test
    void readsUpstreamValues() {
        ServerConfFile f = ServerConfFile.read(Fixtures.upstreamTestLocal().resolve("server-config/server.conf"));
        assertEquals("test.local", f.require("CVMFS_REPOSITORY_NAME"));
        assertEquals("", f.get("CVMFS_AUTO_TAG_TIMESPAN").orElseThrow());
        assertEquals("local,/srv/cvmfs/test.local/data/txn,/srv/cvmfs/test.local",
                f.require("CVMFS_UPSTREAM_STORAGE"));
        assertTrue(f.get("CVMFS_NOT_THERE").isEmpty());
    }

    @Test
    void acceptsQuotesCommentsAndBlankLines() {
        ServerConfFile f = ServerConfFile.parse("""
                # head

                A="two words"   # trailing comment
                B='single $quoted'
                C=plain # comment
                  D=indented
                """, "t");
        assertEquals("two words", f.require("A"));
        assertEquals("single $quoted", f.require("B"));
        assertEquals("plain", f.require("C"));
        assertEquals("indented", f.require("D"));
        assertEquals("# head\nA=\"two words\"\nB='single $quoted'\nC=plain\nD=indented\n", f.format());
        assertEquals(f.entries(), ServerConfFile.parse(f.format(), "again").entries());
    }

    @Test
    void refusesWhatShellWouldReadDifferently() {
        assertMessage("t line 1: expected KEY=VALUE, got 'rm -rf /'", "rm -rf /");
        assertMessage("t line 2: expected KEY=VALUE, got '1A=x'", "\n1A=x");
        assertMessage("t line 1: unbalanced \" in value '\"open'", "A=\"open");
        assertMessage("t line 1: unexpected text after the value: 'b'", "A=a b");
        assertMessage("t line 1: shell expansion in value '\"$HOME\"' is not supported", "A=\"$HOME\"");
        assertMessage("t line 1: unquoted value '$(id)' has shell syntax; quote it", "A=$(id)");
        assertMessage("t line 1: expected KEY=VALUE, got '=x'", "=x");
    }

    @Test
    void requireNamesTheMissingKey() {
        ServerConfFile f = ServerConfFile.parse("A=\n", "t");
        ConfigException e = assertThrows(ConfigException.class, () -> f.require("A"));
        assertEquals("configuration has no value for A", e.getMessage());
    }

    @Test
    void writesAtomicallyAndRereads() {
        ServerConfFile f = ServerConfFile.create("Created by test.").with("X", "1").with("Y", "").with("X", "2");
        Path p = dir.resolve("sub/server.conf");
        f.write(p);
        ServerConfFile back = ServerConfFile.read(p);
        assertEquals(f.entries(), back.entries());
        assertEquals("# Created by test.\nX=2\nY=\"\"\n", back.format());
        assertThrows(ConfigException.class, () -> f.with("Z", "a\nB=evil"));
        assertThrows(ConfigException.class, () -> f.with("Z", "it's $HOME"));
        assertEquals("Z='$HOME'\n", ServerConfFile.create("h").with("Z", "$HOME").format().substring(4));
        assertThrows(ConfigException.class, () -> f.with("not a key", "v"));
    }

    private static void assertMessage(String expected, String text) {
        ConfigException e = assertThrows(ConfigException.class, () -> ServerConfFile.parse(text, "t"));
        assertEquals(expected, e.getMessage());
    }
}
