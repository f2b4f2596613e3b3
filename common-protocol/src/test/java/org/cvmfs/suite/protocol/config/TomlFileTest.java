package org.cvmfs.suite.protocol.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The suite's TOML reader on the TOML 1.0 forms a config file may use (the tutorial's files are
 * read by ConveyorConfigTest): strings of all four kinds with escapes, numbers in every base,
 * dotted keys and tables, inline tables, arrays over several lines with comments; and malformed
 * files refused with the line named.
 */
class TomlFileTest {
    @Test
    void readsTheFormsOfTomlOne() {
        TomlFile.Section root = TomlFile.parse("""
                # comment
                basic = "a \\"quoted\\" \\u00e9\\tb" # trailing comment
                literal = 'C:\\path'
                multi = \"\"\"
                line one
                two \\
                   three\"\"\"
                raw = '''
                x\\y'''
                hex = 0xff
                oct = 0o17
                bin = 0b101
                big = 1_000
                neg = -7
                pi = 3.14
                yes = true
                when = 1979-05-27T07:32:00Z
                list = [ 1, 2,
                  "three", # a comment inside
                  [true], ]
                point = { x = 1, y = "two" }
                a.b.c = 'dotted'
                "quoted key" = 1

                [server]
                port = 8080
                [server.tls]
                on = false
                """, "test");
        assertEquals(Optional.of("a \"quoted\" \u00e9\tb"), root.string("basic"));
        assertEquals("C:\\path", root.string("literal", ""));
        assertEquals("line one\ntwo three", root.string("multi", ""));
        assertEquals("x\\y", root.string("raw", ""));
        assertEquals("255", root.string("hex", ""));
        assertEquals("15", root.string("oct", ""));
        assertEquals("5", root.string("bin", ""));
        assertEquals(1000, root.integer("big", 0, ""));
        assertEquals(-7, root.integer("neg", 0, ""));
        assertEquals("3.14", root.string("pi", ""));
        assertTrue(root.bool("yes", false, ""));
        assertEquals("1979-05-27T07:32:00Z", root.string("when", ""));
        assertEquals("[1,2,\"three\",[true]]", root.string("list", ""));
        assertEquals("1", root.table("point").orElseThrow().string("x", ""));
        assertEquals("two", root.table("point").orElseThrow().string("y", ""));
        assertEquals("dotted", root.table("a").orElseThrow().table("b").orElseThrow().string("c", ""));
        assertEquals("1", root.string("quoted key", ""));
        TomlFile.Section server = root.table("SERVER").orElseThrow();
        assertEquals(8080, server.integer("port", 0, ""));
        assertEquals("false", server.table("tls").orElseThrow().string("on", ""));
    }

    @Test
    void arraysOfTablesLoadAsUpstreamsReaderTakesThem() {
        TomlFile.Section root = TomlFile.parse("[[worker]]\nname = \"a\"\n[worker.limits]\njobs = 1\n"
                + "[[worker]]\nname = \"b\"\n[server]\nport = 8080\n", "f.toml");
        assertEquals("[{\"name\":\"a\",\"limits\":{\"jobs\":1}},{\"name\":\"b\"}]", root.string("worker", ""));
        assertEquals(8080, root.table("server").orElseThrow().integer("port", 0, ""));
    }

    @Test
    void malformedFilesAreRefusedWithTheirLine() {
        for (String bad : new String[] {"a = = 1", "a = \"open", "[table\nx = 1", "a = 1\na = 2", "a = 1 b = 2",
                "a = [1, 2", "a = nope", "[[items]\nx = 1", "items = [1]\n[[items]]", "a = \"\\q\"", "a = 1\n[a]\n"}) {
            ConfigException e = assertThrows(ConfigException.class, () -> TomlFile.parse(bad, "f.toml"), bad);
            assertTrue(e.getMessage().startsWith("f.toml: not valid TOML: line "), e.getMessage());
        }
        assertTrue(assertThrows(ConfigException.class, () -> TomlFile.parse("x = 1\n\ny = 'open", "f.toml"))
                .getMessage().contains("line 3"));
    }
}
