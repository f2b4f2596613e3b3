package org.cvmfs.suite.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
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
 * {@code deploy/bin/cvmfs_server} with the resident JVM, on a suite home laid out as a package has
 * it (the jars of this build under {@code cvmfs-server/target/quarkus-app}): the first
 * {@code transaction}, {@code publish} or {@code abort} runs a JVM and starts the resident JVM;
 * later ones print the same bytes and exit codes through it without starting a JVM (they pass
 * with {@code JAVA_HOME} pointing nowhere), with the caller's {@code CVMFS_SUITE_PREFIX} and
 * working directory. Other commands, {@code CVMFS_SUITE_SERVER_DAEMON=off}, a caller with
 * another umask and one in another mount namespace get a JVM of their own (they fail without
 * one). Every resident JVM started here is stopped at the end.
 */
class ServerLauncherTest {
    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("deploy/bin/cvmfs_server");

    @TempDir
    Path dir;
    Path suite;
    Path run;

    @BeforeEach
    void layOut() throws IOException {
        suite = dir.resolve("suite");
        run = dir.resolve("run");
        // every jar of this module's class path, its tests' libraries aside
        LaidOutSuite.module(suite, "cvmfs-server", jar -> jar.toString().contains("test") ? null : "lib-" + jar.getFileName());
    }

    @AfterEach
    void stopResidentJvms() throws Exception {
        LaidOutSuite.stopProcessesNaming(run);
    }

    private record Run(int exit, String stdout, String stderr) {
    }

    /** The launcher, after {@code wrapper} (a command that runs the rest), in {@link #dir}. */
    private Run server(List<String> wrapper, Map<String, String> extraEnv, String... args) throws Exception {
        List<String> command = new ArrayList<>(wrapper);
        command.add(LAUNCHER.toString());
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("CVMFS_SUITE") || k.startsWith("XDG_") || k.equals("JAVA_OPTS"));
        env.putAll(Map.of("CVMFS_SUITE_HOME", suite.toString(), "XDG_RUNTIME_DIR", run.toString(), "CVMFS_SUITE_CDS", "off",
                "JAVA_HOME", System.getProperty("java.home"), "CVMFS_SUITE_SERVER_IDLE", "60"));
        env.putAll(extraEnv);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "cvmfs_server ended");
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private Run server(Map<String, String> extraEnv, String... args) throws Exception {
        return server(List.of(), extraEnv, args);
    }

    private boolean stateFileWithin(long millis) throws InterruptedException, IOException {
        Path states = run.resolve("cvmfs-suite/resident");
        long end = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < end) {
            if (Files.isDirectory(states)) {
                try (Stream<Path> files = Files.list(states)) {
                    if (files.anyMatch(f -> f.getFileName().toString().endsWith(".state"))) {
                        return true;
                    }
                }
            }
            Thread.sleep(100);
        }
        return false;
    }

    private static Map<String, String> with(Map<String, String> a, Map<String, String> b) {
        Map<String, String> both = new HashMap<>(a);
        both.putAll(b);
        return both;
    }

    @Test
    void theResidentJvmAnswersAsAJvmDoesForCallersLikeItOnly() throws Exception {
        Map<String, String> off = Map.of("CVMFS_SUITE_SERVER_DAEMON", "off");
        Map<String, String> prefixed = Map.of("CVMFS_SUITE_PREFIX", dir.resolve("host").toString());
        String[] abort = {"abort", "-f", "nosuch.repo"};
        String[] relative = {"--prefix", "rel", "publish", "nosuch.repo"};
        String[] usage = {"transaction", "--no-such-flag"};
        Run jvmAbort = server(with(off, prefixed), abort);
        Run jvmRelative = server(off, relative);
        Run jvmUsage = server(off, usage);
        assertEquals(1, jvmAbort.exit(), jvmAbort.toString());
        assertTrue(jvmAbort.stderr().contains(dir.resolve("host/etc/cvmfs/repositories.d/nosuch.repo/server.conf").toString()),
                jvmAbort.stderr());
        assertTrue(jvmRelative.stderr().contains(dir.resolve("rel/etc/cvmfs/repositories.d/nosuch.repo").toString()),
                jvmRelative.stderr());
        assertEquals(2, jvmUsage.exit());
        assertTrue(jvmUsage.stderr().contains("Missing required parameter"), jvmUsage.stderr());
        assertFalse(stateFileWithin(2000), "CVMFS_SUITE_SERVER_DAEMON=off starts no resident JVM");
        assertFalse(Files.exists(run), "nor makes its directory");

        assertEquals(jvmAbort, server(prefixed, abort), "the first call runs a JVM");
        assertTrue(stateFileWithin(60_000), "and starts the resident JVM");
        Map<String, String> noJvm = Map.of("JAVA_HOME", dir.resolve("no-java").toString());
        assertEquals(jvmAbort, server(with(noJvm, prefixed), abort), "later calls need no JVM, and bring their prefix");
        assertEquals(jvmRelative, server(noJvm, relative), "and their working directory");
        assertEquals(jvmUsage, server(noJvm, usage));

        assertEquals(127, server(noJvm, "ls", "nosuch.repo", "/").exit(), "other commands run in a JVM of their own");
        assertEquals(127, server(with(noJvm, off), abort).exit(), "off runs a JVM even with a resident JVM up");
        assertEquals(127, server(with(noJvm, Map.of("JAVA_OPTS", "-Xmx64m")), abort).exit(), "so do JVM options");
        assertEquals(127, server(List.of("bash", "-c", "umask 0077; exec \"$0\" \"$@\""), noJvm, abort).exit(),
                "a caller with another umask would create files as the resident JVM's umask says");
        if (new ProcessBuilder("unshare", "-m", "true").start().waitFor() == 0) {
            assertEquals(127, server(List.of("unshare", "-m"), noJvm, abort).exit(),
                    "a caller in another mount namespace would see the resident JVM's mounts");
        }
        assertEquals(jvmAbort, server(with(noJvm, prefixed), abort), "the resident JVM still serves its own");
    }
}
