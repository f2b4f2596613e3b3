package org.cvmfs.suite.server.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainLauncher;
import io.quarkus.test.junit.main.QuarkusMainTest;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The jar as the launcher runs it: {@code quarkus-run.jar cvmfs_server ...}, wired by CDI. */
@QuarkusMainTest
class ServerCommandMainTest {
    @TempDir
    Path prefix;

    private LaunchResult launch(QuarkusMainLauncher launcher, String... args) {
        String[] all = new String[args.length + 3];
        all[0] = "cvmfs_server";
        all[1] = "--prefix";
        all[2] = prefix.toString();
        System.arraycopy(args, 0, all, 3, args.length);
        return launcher.launch(all);
    }

    @Test
    void mkfsCheckCatAndExitCodes(QuarkusMainLauncher launcher) {
        LaunchResult mkfs = launch(launcher, "mkfs", "main.example.org");
        assertEquals(0, mkfs.exitCode(), mkfs.getErrorOutput());
        assertTrue(mkfs.getOutput().startsWith("Created repository main.example.org (revision 1"), mkfs.getOutput());

        LaunchResult check = launch(launcher, "check", "main.example.org");
        assertEquals(0, check.exitCode(), check.getOutput() + check.getErrorOutput());
        assertTrue(check.getOutput().startsWith("no problems found in main.example.org at revision 1"), check.getOutput());

        LaunchResult cat = launch(launcher, "cat", "main.example.org", "new_repository");
        assertEquals(0, cat.exitCode(), cat.getErrorOutput());
        assertEquals("New CernVM-FS repository for main.example.org", cat.getOutput().strip());

        LaunchResult missing = launch(launcher, "check", "none.example.org");
        assertEquals(1, missing.exitCode());
        assertTrue(missing.getErrorOutput().strip().startsWith(
                "cvmfs_server check: repository none.example.org is not served from this host"), missing.getErrorOutput());

        assertEquals(2, launch(launcher, "resign").exitCode());
    }
}
