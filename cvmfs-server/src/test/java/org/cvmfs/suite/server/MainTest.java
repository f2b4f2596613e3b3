package org.cvmfs.suite.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lean entry point as {@code deploy/bin/cvmfs_server} runs it: a JVM of its own whose class
 * path holds neither Quarkus, its CDI container and configuration, nor SLF4J, so that a command
 * that needed any of them would fail here, and nothing but the command's own words reaches
 * stdout and stderr.
 */
class MainTest {
    @TempDir
    Path prefix;

    private record Run(int exitCode, String out, String err) {
    }

    private static final List<String> LEFT_OUT = List.of("/io/quarkus/", "/io/smallrye/", "/org/jboss/", "/org/slf4j/",
            "/jakarta/", "/org/eclipse/microprofile/");

    private static String leanClassPath() {
        String[] entries = System.getProperty("java.class.path").split(File.pathSeparator);
        return Arrays.stream(entries).filter(e -> LEFT_OUT.stream().noneMatch(e.replace('\\', '/')::contains))
                .collect(Collectors.joining(File.pathSeparator));
    }

    private Run run(String... args) throws IOException, InterruptedException {
        List<String> command = JavaProcess.mainClass(leanClassPath(), Main.class, List.of(args));
        Path out = prefix.resolve("out.txt");
        Path err = prefix.resolve("err.txt");
        Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        int code = p.waitFor();
        return new Run(code, Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void runsTheServerCommandsWithoutQuarkusOnTheClassPath() throws Exception {
        assertTrue(!leanClassPath().contains("quarkus-core"), "the lean class path still holds Quarkus");
        String host = prefix.resolve("host").toString();

        Run mkfs = run("cvmfs_server", "--prefix", host, "mkfs", "lean.example.org");
        assertEquals(0, mkfs.exitCode(), mkfs.err());
        assertTrue(mkfs.out().startsWith("Created repository lean.example.org (revision 1"), mkfs.out());
        assertEquals("", mkfs.err());

        Run cat = run("cvmfs_server", "--prefix", host, "cat", "lean.example.org", "new_repository");
        assertEquals(0, cat.exitCode(), cat.err());
        assertEquals("New CernVM-FS repository for lean.example.org\n", cat.out());
        assertEquals("", cat.err());

        Run check = run("cvmfs_server", "--prefix", host, "check", "lean.example.org");
        assertEquals(0, check.exitCode(), check.err());
        assertTrue(check.out().startsWith("no problems found in lean.example.org at revision 1"), check.out());

        Run missing = run("cvmfs_server", "--prefix", host, "check", "none.example.org");
        assertEquals(1, missing.exitCode());
        assertEquals("", missing.out());
        assertTrue(missing.err().startsWith("cvmfs_server check: repository none.example.org is not served from this host"),
                missing.err());

        assertEquals(2, run("cvmfs_server", "resign").exitCode());
    }

    @Test
    void runsTheSwissknife() throws Exception {
        Run notify = run("cvmfs_swissknife", "notify", "-s", "-t", "x.org");
        assertEquals(1, notify.exitCode());
        assertEquals("", notify.out());
        assertTrue(notify.err().contains("parameter -u missing"), notify.err());
    }

    @Test
    void buildsOnlyTheSubcommandACommandLineNames() {
        assertEquals(List.of("transaction"), serverSubcommands(Main.commandLine("cvmfs_server", "--prefix", "/h",
                "transaction", "repo.example.org/sw")));
        assertEquals(List.of("ls", "cat"), serverSubcommands(Main.commandLine("cvmfs_server", "ls", "repo", "cat")),
                "a subcommand's name as a value registers one more, in the usage's order");
        assertEquals(List.of("mkfs", "resign", "check", "list-catalogs", "ls", "cat", "transaction", "publish", "abort",
                "ingest", "gc"), serverSubcommands(Main.commandLine("cvmfs_server", "--help")));
        assertEquals(11, serverSubcommands(Main.commandLine("cvmfs_server", "publsh")).size(),
                "a misspelt name gets every subcommand to suggest from");
        assertEquals(List.of(), serverSubcommands(Main.commandLine("cvmfs_swissknife", "notify", "-s")));
    }

    @Test
    void aMisspeltSubcommandGetsSuggestions() throws Exception {
        Run typo = run("cvmfs_server", "publsh", "repo.example.org");
        assertEquals(2, typo.exitCode());
        assertTrue(typo.err().contains("Did you mean: cvmfs_server publish"), typo.err());
    }

    private static List<String> serverSubcommands(picocli.CommandLine suite) {
        return suite.getSubcommands().get("cvmfs_server").getSubcommands().values().stream()
                .map(picocli.CommandLine::getCommandName).distinct().toList();
    }

    /**
     * The training the launcher runs for the class-data-sharing archive loads the publisher's
     * HTTP, JSON and gateway classes (the stand-in gateway answered), and leaves nothing behind.
     */
    @Test
    void theTrainingRunsAPublisherHostAgainstAStandInGateway() throws Exception {
        Path scratch = Files.createDirectories(prefix.resolve("scratch"));
        Path classes = prefix.resolve("classes.txt");
        List<String> command = new java.util.ArrayList<>(JavaProcess.mainClass(leanClassPath(), Main.class,
                List.of(Main.TRAINING, scratch.toString())));
        command.add(1, "-XX:DumpLoadedClassList=" + classes);
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(prefix.resolve("log").toFile()).start();
        assertEquals(0, p.waitFor(), Files.readString(prefix.resolve("log")));

        List<String> loaded = Files.readAllLines(classes);
        for (String name : List.of("org/cvmfs/suite/server/cli/LsCommand", "org/cvmfs/suite/server/publish/LeaseAcquirer",
                "org/cvmfs/suite/protocol/gateway/GatewayReply", "org/cvmfs/suite/server/publish/GatewayMkfs",
                "sun/net/www/protocol/http/HttpURLConnection", "com/fasterxml/jackson/databind/ObjectMapper")) {
            assertTrue(loaded.stream().anyMatch(l -> l.equals(name) || l.startsWith(name + " ")), name + " was not loaded");
        }
        try (var left = Files.list(scratch)) {
            assertEquals(List.of(), left.toList());
        }
    }
}
