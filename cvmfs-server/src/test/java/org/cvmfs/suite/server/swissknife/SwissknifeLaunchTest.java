package org.cvmfs.suite.server.swissknife;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.quarkus.test.junit.main.Launch;
import io.quarkus.test.junit.main.LaunchResult;
import io.quarkus.test.junit.main.QuarkusMainTest;
import org.junit.jupiter.api.Test;

/** The packaged entry point knows {@code cvmfs_swissknife notify}, as the launcher calls it. */
@QuarkusMainTest
class SwissknifeLaunchTest {
    @Test
    @Launch(value = {"cvmfs_swissknife", "notify", "-s", "-t", "x.org"}, exitCode = 1)
    void reachesTheNotifyCommand(LaunchResult result) {
        assertTrue(result.getErrorOutput().contains("parameter -u missing"), result.getErrorOutput());
    }
}
