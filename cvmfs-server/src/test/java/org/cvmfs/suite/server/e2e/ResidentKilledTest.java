package org.cvmfs.suite.server.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.cvmfs.suite.protocol.crashtest.PausePoint;
import org.cvmfs.suite.protocol.testing.Await;
import org.cvmfs.suite.protocol.testing.JavaProcess;
import org.cvmfs.suite.server.ResidentPublisher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A resident {@code cvmfs_server} JVM killed ({@code kill -9}) in the middle of a caller's
 * {@code publish}, at a step of the publication: the launcher (which reached it without a JVM of
 * its own: {@code JAVA_HOME} points nowhere) says the command may have taken effect and exits 1,
 * never running it again; the next {@code publish} resumes the publication, and the repository
 * checks clean. The resident JVM here is this test run's class path, started with the crash
 * tests' pause point in its environment, on the state file the launcher looks for.
 */
@ExtendWith(Hosts.Extension.class)
class ResidentKilledTest {
    private static final Path LAUNCHER = Path.of("").toAbsolutePath().getParent().resolve("deploy/bin/cvmfs_server");
    private final Hosts hosts;
    private final PublisherHost one;

    ResidentKilledTest(Hosts hosts) {
        this.hosts = hosts;
        this.one = hosts.publisher1();
    }

    /** The launcher's FNV-1a of the suite home, which names the state file (ASCII paths). */
    private static long fnv1a(String text) {
        long h = 2166136261L;
        for (char c : text.toCharArray()) {
            h = ((h ^ c) * 16777619L) & 0xFFFFFFFFL;
        }
        return h;
    }

    @Test
    void theCallerOfAKilledResidentJvmIsToldAndTheNextPublishResumes() throws Exception {
        long before = hosts.gateway().head().revision();
        ServerCli.assertExit(0, one.transaction("/resident-killed"));
        PublishThroughGatewayTest.write(one.tree("/resident-killed").resolve("f.txt"), "killed\n");

        Path scratch = hosts.scratch("resident-killed");
        Path run = scratch.resolve("run");
        Path home = Files.createDirectories(scratch.resolve("suite"));
        Path state = run.resolve("cvmfs-suite/resident/cvmfs_server-" + fnv1a(home.toString()) + ".state");
        Path pauses = scratch.resolve("pauses");
        ProcessBuilder residentJvm = new ProcessBuilder(JavaProcess.mainClass(ResidentPublisher.class,
                List.of(state.toString(), home.toString()))).redirectErrorStream(true)
                .redirectOutput(scratch.resolve("resident.log").toFile());
        residentJvm.environment().putAll(Map.of(PausePoint.PAUSE_AT_ENV, "STATE_WRITTEN",
                PausePoint.PAUSE_DIR_ENV, pauses.toString(), "CVMFS_SUITE_SERVER_IDLE", "60"));
        Process resident = residentJvm.start();
        try {
            Await.until(() -> Files.exists(state) || !resident.isAlive(), () -> "the resident JVM's state file");
            ProcessBuilder launcher = new ProcessBuilder(LAUNCHER.toString(), "--prefix", one.prefix().toString(),
                    "publish", GatewayHost.REPO).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
            launcher.environment().keySet().removeIf(k -> k.startsWith("CVMFS_SUITE") || k.startsWith("XDG_") || k.equals("JAVA_OPTS"));
            launcher.environment().putAll(Map.of("CVMFS_SUITE_HOME", home.toString(), "XDG_RUNTIME_DIR", run.toString(),
                    "JAVA_HOME", scratch.resolve("no-java").toString()));
            Process caller = launcher.start();
            Await.until(() -> Files.exists(pauses.resolve("STATE_WRITTEN")) || !caller.isAlive(),
                    () -> "the publish in the resident JVM reaching STATE_WRITTEN");
            assertTrue(caller.isAlive(), "the publish ended early");
            assertEquals(Long.toString(resident.pid()), Files.readString(pauses.resolve("STATE_WRITTEN")),
                    "held in the resident JVM");
            resident.destroyForcibly(); // SIGKILL
            assertTrue(caller.waitFor(60, TimeUnit.SECONDS));
            String err = new String(caller.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(1, caller.exitValue(), err);
            assertTrue(err.contains("the resident JVM ended the connection before the command finished; it may have taken effect"),
                    err);
        } finally {
            resident.destroyForcibly();
            resident.waitFor(60, TimeUnit.SECONDS);
        }

        ServerCli.Result resumed = ServerCli.assertExit(0, one.publish(), "the publication resumed");
        assertEquals(before + 1, Hosts.revisionOf(resumed));
        assertEquals("killed\n", hosts.cat(hosts.browse(), "/resident-killed/f.txt"));
        hosts.assertChecks();
    }
}
