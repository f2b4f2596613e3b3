package org.cvmfs.suite.conveyor.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.cvmfs.suite.protocol.resident.Invocation;
import org.junit.jupiter.api.Test;

/**
 * Only the sub-commands named on the command line are registered with picocli (a submit does
 * not build the models of check and cancel), yet the root's usage lists them all and a name
 * given as an option's value does not hide the real sub-command.
 */
class ConveyorCliCommandsTest {
    @Test
    void onlyTheNamedSubcommandIsRegistered() {
        assertEquals(List.of(ConveyorCli.Submit.class), ConveyorCli.named("-c", "x.toml", "submit", "-r", "repo.test"));
        assertEquals(List.of(ConveyorCli.Submit.class, ConveyorCli.Check.class),
                ConveyorCli.named("submit", "-r", "check", "-l", "/"));
        assertEquals(3, ConveyorCli.named("--debug").size());
    }

    @Test
    void theRootListsEverySubcommand() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int rc = ConveyorCli.run(new Invocation(new PrintStream(out, true, StandardCharsets.UTF_8), System.err,
                InputStream.nullInputStream(), name -> null, Path.of("")), "--debug");
        String usage = out.toString(StandardCharsets.UTF_8);
        assertEquals(0, rc);
        for (String sub : List.of("submit", "check", "cancel")) {
            assertTrue(usage.contains("  " + sub + " "), usage);
        }
    }
}
