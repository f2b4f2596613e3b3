package org.cvmfs.suite.conveyor.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.cvmfs.suite.protocol.testing.LaidOutSuite;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/bin/conveyor} with the resident client, on a suite home laid out as a package
 * has it (the jars of this build under {@code conveyor-server/target/quarkus-app}): the first
 * call runs a JVM and starts the resident client, later calls print the same bytes and exit
 * codes through it without starting any JVM (they pass with {@code JAVA_HOME} pointing nowhere),
 * and {@code CONVEYOR_CLIENT_DAEMON=off} never starts one. Every resident client started here is
 * stopped at the end.
 */
class ConveyorLauncherTest {
    @TempDir Path dir;
    StandInConveyorServer server;
    Path suite;
    Path run;

    @BeforeEach
    void layOut() throws IOException {
        server = new StandInConveyorServer();
        server.writeConfig(dir.resolve("conf.toml"));
        suite = dir.resolve("suite");
        run = dir.resolve("run");
        // picocli and Jackson, as the launcher's SUITE_MAIN_LIBRARIES picks them for the client
        LaidOutSuite.module(suite, "conveyor-server", jar -> jar.toString().contains("/info/picocli/")
                ? "info.picocli.picocli-" + jar.getFileName()
                : jar.toString().contains("/com/fasterxml/jackson/") ? "com.fasterxml.jackson." + jar.getFileName() : null);
    }

    @AfterEach
    void stopResidentClients() throws Exception {
        LaidOutSuite.stopProcessesNaming(run);
        server.close();
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    private Run conveyor(Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of("").toAbsolutePath().getParent().resolve("deploy/bin/conveyor").toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CONVEYOR_") || k.startsWith("XDG_") || k.equals("JAVA_OPTS"));
        env.putAll(Map.of("CVMFS_SUITE_HOME", suite.toString(), "XDG_RUNTIME_DIR", run.toString(), "CVMFS_SUITE_CDS", "off",
                "JAVA_HOME", System.getProperty("java.home"), "CONVEYOR_CLIENT_IDLE", "60"));
        env.putAll(extraEnv);
        Process p = pb.start();
        try (OutputStream stdin = p.getOutputStream()) {
            stdin.flush();
        }
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "conveyor ended");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private Path stateDir() {
        return run.resolve("cvmfs-suite/resident");
    }

    private boolean stateFileWithin(long millis) throws InterruptedException, IOException {
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (Files.isDirectory(stateDir())) {
                try (Stream<Path> files = Files.list(stateDir())) {
                    if (files.anyMatch(f -> f.getFileName().toString().endsWith(".state"))) {
                        return true;
                    }
                }
            }
            Thread.sleep(100);
        }
        return false;
    }

    @Test
    void theResidentClientPrintsWhatTheJvmPrintsAndOffStartsNone() throws Exception {
        Map<String, String> off = Map.of("CONVEYOR_CLIENT_DAEMON", "off");
        String[] submit = {"submit", "-c", "conf.toml", "-r", "a.test", "-l", "/ünï"};
        String[] badFlag = {"submit", "-c", "conf.toml", "--no-such-flag"};
        String[] refused = {"-c", "conf.toml", "submit", "-r", StandInConveyorServer.REFUSED_REPOSITORY};
        Run jvmSubmit = conveyor(off, submit);
        Run jvmBadFlag = conveyor(off, badFlag);
        Run jvmRefused = conveyor(off, refused);
        assertEquals(0, jvmSubmit.exit(), jvmSubmit.stderr());
        assertEquals(1, jvmBadFlag.exit());
        assertTrue(jvmBadFlag.stderr().contains("Usage: conveyor submit"), jvmBadFlag.stderr());
        assertEquals(1, jvmRefused.exit());
        assertFalse(stateFileWithin(2000), "CONVEYOR_CLIENT_DAEMON=off starts no resident client");
        assertFalse(Files.exists(run), "nor makes its directory");

        assertEquals(jvmSubmit, conveyor(Map.of(), submit), "the first call runs a JVM");
        assertTrue(stateFileWithin(60_000), "and starts the resident client");
        Map<String, String> noJvm = new HashMap<>(Map.of("JAVA_HOME", dir.resolve("no-java").toString()));
        assertEquals(jvmSubmit, conveyor(noJvm, submit), "later calls need no JVM");
        assertEquals(jvmBadFlag, conveyor(noJvm, badFlag));
        assertEquals(jvmRefused, conveyor(noJvm, refused));
        Run offWithResident = conveyor(Map.of("CONVEYOR_CLIENT_DAEMON", "off", "JAVA_HOME", dir.resolve("no-java").toString()), submit);
        assertEquals(127, offWithResident.exit(), "off runs the JVM path even with a resident client up: " + offWithResident);
    }
}
