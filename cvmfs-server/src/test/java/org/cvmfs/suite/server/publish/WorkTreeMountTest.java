package org.cvmfs.suite.server.publish;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.cvmfs.suite.protocol.catalog.RepositoryPath;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The mount steps run only where bind mounts are permitted (root outside a container); the probe runs everywhere. */
class WorkTreeMountTest {
    private static final RepositoryPath LEASE = RepositoryPath.of("/sw/with space");

    @TempDir
    Path tmp;
    WorkTreeMount mount;

    @AfterEach
    void cleanUp() {
        if (mount != null) {
            mount.unmount(LEASE);
        }
    }

    @Test
    void writableThenReadOnlyThenGone() throws Exception {
        assumeTrue(WorkTreeMount.permitted(tmp.resolve("probe")), "needs a host that permits bind mounts");
        Path work = Files.createDirectories(tmp.resolve("work"));
        Files.writeString(work.resolve("existing"), "from the base");
        mount = new WorkTreeMount(tmp.resolve("cvmfs/capture.test"));
        Path visible = mount.mountpoint(LEASE);
        assertEquals(tmp.resolve("cvmfs/capture.test/sw/with space"), visible);

        mount.mountWritable(work, LEASE);
        mount.mountWritable(work, LEASE);  // again: no second mount on top
        assertTrue(mount.isMounted(visible));
        assertEquals("from the base", Files.readString(visible.resolve("existing")));
        Files.writeString(visible.resolve("new"), "written through /cvmfs");
        assertEquals("written through /cvmfs", Files.readString(work.resolve("new")));

        mount.makeReadOnly(LEASE);
        assertThrows(IOException.class, () -> Files.writeString(visible.resolve("refused"), "x"));
        mount.makeWritable(LEASE);
        Files.writeString(visible.resolve("again"), "ok");

        mount.unmount(LEASE);
        mount.unmount(LEASE);
        assertFalse(mount.isMounted(visible));
        assertFalse(Files.exists(visible.resolve("existing")));
    }

    @Test
    void theProbeLeavesNothingBehindAndAgreesWithTheMountCommand() throws Exception {
        Path probe = tmp.resolve("probe");
        boolean permitted = WorkTreeMount.permitted(probe);
        assertFalse(Files.exists(probe));
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b"));
        Process p = new ProcessBuilder("mount", "--bind", a.toString(), b.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        boolean mounted = p.waitFor() == 0;
        if (mounted) {
            new ProcessBuilder("umount", b.toString()).inheritIO().start().waitFor();
        }
        assertEquals(mounted, permitted);
    }
}
