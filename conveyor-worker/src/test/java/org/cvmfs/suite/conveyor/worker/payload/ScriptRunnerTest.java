package org.cvmfs.suite.conveyor.worker.payload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScriptRunnerTest {
    @TempDir
    Path dir;

    Path script(String body) throws Exception {
        Path s = dir.resolve("job.sh");
        Files.writeString(s, "#!/bin/sh\n" + body);
        Files.setPosixFilePermissions(s, PosixFilePermissions.fromString("rwx------"));
        return s;
    }

    @Test
    void upstreamArgvWorkingDirectoryAndCapturedOutput() throws Exception {
        Path work = Files.createDirectories(dir.resolve("cvmfs/repo"));
        ScriptRunner.Outcome o = new ScriptRunner(Duration.ofMinutes(1), 4096).run(
                script("echo \"$# [$1] [$2] [$3] $(pwd) $CONVEYOR_LEASE_DIR\"; echo oops >&2\n"),
                "repo.test", "/sub", "", work, Map.of("CONVEYOR_LEASE_DIR", "/x"));
        assertTrue(o.succeeded());
        assertEquals("3 [repo.test] [/sub] [] " + work.toRealPath() + " /x\noops\n", o.log());
    }

    @Test
    void exitStatusIsReportedAsUpstreamWordsIt() throws Exception {
        ScriptRunner.Outcome o = new ScriptRunner(Duration.ofMinutes(1), 4096)
                .run(script("echo failing; exit 7\n"), "r", "/", "a", dir, Map.of());
        assertFalse(o.succeeded());
        assertEquals(7, o.exitStatus());
        assertEquals("running transaction script failed: exit status 7", o.errorMessage());
        assertEquals("failing\n", o.log());
    }

    @Test
    void aHangingScriptAndItsChildrenAreKilledAtTheTimeout() throws Exception {
        Path pidFile = dir.resolve("child.pid");
        ScriptRunner.Outcome o = new ScriptRunner(Duration.ofMillis(500), 4096)
                .run(script("echo started; sleep 600 & echo $! > " + pidFile + "; wait\n"), "r", "/", "", dir, Map.of());
        assertTrue(o.timedOut());
        assertEquals("running transaction script failed: timed out", o.errorMessage());
        assertEquals("started\n", o.log());
        long child = Long.parseLong(Files.readString(pidFile).strip());
        assertFalse(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false));
    }

    @Test
    void outputIsBoundedKeepingHeadAndTail() throws Exception {
        ScriptRunner.Outcome o = new ScriptRunner(Duration.ofMinutes(1), 20)
                .run(script("printf 'HEAD567890'; i=0; while [ $i -lt 1000 ]; do printf x; i=$((i+1)); done; printf 'TAIL567890'\n"),
                        "r", "/", "", dir, Map.of());
        assertEquals("HEAD567890\n[... 1000 bytes of output dropped ...]\nTAIL567890", o.log());
    }
}
